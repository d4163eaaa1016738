import { createReadStream } from 'node:fs';
import { ValidationError } from '../core/errors.ts';

/**
 * Longest line (or JSON element) a price file may hold, in characters. A bar is well under 200 characters;
 * the limit only exists so that a file without newlines (a 600 MB single line) is refused in bounded memory
 * instead of being gathered into one string until Node runs out of heap.
 */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Yields the lines of a UTF-8 file with their 1-based numbers (CRLF or LF), never holding more than
 * `maxChars` of one line: a longer line ends the read with `file:line: line too long`.
 */
export async function* readLines(
  file: string,
  maxChars = MAX_LINE_CHARS,
): AsyncGenerator<{ text: string; line: number }> {
  let pending = '';
  let line = 1;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
    const text = pending + (chunk as string);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (nl - start > maxChars) tooLong(file, line, maxChars);
      const end = nl > start && text[nl - 1] === '\r' ? nl - 1 : nl;
      yield { text: text.slice(start, end), line };
      line++;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending = text.slice(start);
    if (pending.length > maxChars) tooLong(file, line, maxChars);
  }
  if (pending.length > 0) yield { text: pending.endsWith('\r') ? pending.slice(0, -1) : pending, line };
}

function tooLong(file: string, line: number, maxChars: number): never {
  throw new ValidationError(`${file}:${line}: line too long (over ${maxChars} characters)`);
}
