/**
 * The audit chain: appends per second (each one a transaction holding the advisory lock), and verify
 * throughput in entries per second, beside a bare SHA-256 loop over the same canonical forms measured in
 * the same run (the floor verify cannot beat). Embedded store (PGlite in memory).
 *
 * Run alone: node --import tsx bench/audit.ts
 */
import { canonicalJson, sha256Hex } from '../src/audit/canonical.ts';
import { appendAuditNow, exportChain, verifyChain } from '../src/audit/chain.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';

const APPENDS = 500;

export async function run(): Promise<void> {
  const db = await openPglite();
  await migrate(db);
  const t0 = performance.now();
  for (let i = 0; i < APPENDS; i++) {
    await appendAuditNow(db, {
      kind: 'config',
      actor: 'bench',
      action: 'update',
      subject: `pricing.base_rate_${i % 16}`,
      detail: { old_value: 0.04, new_value: 0.04 + i / 1e6, reason: 'bench', i },
    });
  }
  const appendMs = performance.now() - t0;

  const t1 = performance.now();
  const v = await verifyChain(db);
  const verifyMs = performance.now() - t1;
  if (!v.ok) throw new Error(`bench chain does not verify: ${v.problem}`);

  const entries = (await exportChain(db)).entries;
  const texts = entries.map((e) => canonicalJson(e));
  const t2 = performance.now();
  let sink = 0;
  for (const t of texts) sink += sha256Hex(t).charCodeAt(0);
  const bareMs = performance.now() - t2;
  if (sink < 0) console.log(sink);
  await db.close();

  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const rows = [
    ['appends (tx + lock + insert)', rate(APPENDS, appendMs)],
    ['verify (read + canonical + sha256)', rate(v.entries, verifyMs)],
    ['bare sha256 of canonical forms', rate(texts.length, bareMs)],
  ] as const;
  for (const [what, perSec] of rows) console.log(`${what.padEnd(38)} ${String(perSec).padStart(10)} /s`);
  console.log(`verify / bare sha256: ${(rate(v.entries, verifyMs) / rate(texts.length, bareMs)).toFixed(3)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
