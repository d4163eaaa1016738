#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages npm left out.
 *
 * Packages such as @biomejs/biome, rollup or esbuild list one optional dependency per OS/CPU. npm only
 * records those the registry it talks to serves; the registry reached here lacks some of them for recent
 * versions (other operating systems), so the lock misses them and `npm ci` then refuses the lock as out of
 * sync. Each missing entry is added as an optional package with the `os`/`cpu`/`libc` its name states, so
 * `npm ci` sees the lock complete and skips them on this platform without fetching anything.
 *
 * Run after `npm install` changes the lock: `node scripts/lock-platforms.mjs` (prints what it added).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages ?? {};

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
  'aix',
  'cygwin',
];
const CPU = [
  'arm64',
  'x64',
  'arm',
  'ia32',
  'riscv64',
  'ppc64',
  'ppc64le',
  's390x',
  'loong64',
  'mips64el',
  'loongarch64',
  'wasm32',
];

/** os/cpu/libc from a platform package name such as `@rollup/rollup-linux-arm64-musl` or `cli-win32-x64`. */
function platformOf(name) {
  const base = name.split('/').pop() ?? name;
  const parts = base.split('-');
  const os =
    parts.find((p) => OS.includes(p)) ??
    (parts.includes('macos') ? 'darwin' : parts.includes('windows') ? 'win32' : undefined);
  let cpu = parts.find((p) => CPU.includes(p));
  if (!cpu && parts.includes('armv7')) cpu = 'arm';
  if (!cpu && parts.includes('amd64')) cpu = 'x64';
  if (!cpu && parts.includes('riscv64')) cpu = 'riscv64';
  const libc = parts.includes('musl')
    ? 'musl'
    : parts.includes('gnu') || parts.includes('gnueabihf')
      ? 'glibc'
      : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  const optional = meta?.optionalDependencies ?? {};
  for (const [dep, version] of Object.entries(optional)) {
    // Resolution as node would do it: beside the dependent, else at the top.
    const nested = `${path}/node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (packages[nested] || packages[top]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue; // not a platform package: leave it to npm
    const entry = { version: String(version).replace(/^[\^~=]/, ''), optional: true };
    if (os) entry.os = [os];
    if (cpu) entry.cpu = [cpu];
    if (libc) entry.libc = [libc];
    packages[top] = entry;
    added++;
    process.stdout.write(`added ${top}@${entry.version} (${[os, cpu, libc].filter(Boolean).join(' ')})\n`);
  }
}
const sorted = Object.fromEntries(
  Object.keys(packages)
    .sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
    .map((k) => [k, packages[k]]),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lock-platforms: ${added} platform packages recorded\n`);
