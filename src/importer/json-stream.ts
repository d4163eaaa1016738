/**
 * Streams the elements of a top-level JSON array (or newline-delimited JSON objects) without holding the
 * whole document: it tracks string/escape state and nesting depth and parses each element alone.
 * Yields `{ value, line }` with the 1-based line where the element starts. An element longer than
 * `maxChars` ends the read (`line N: line too long`) so one endless element cannot exhaust memory.
 */
export async function* streamJsonElements(
  chunks: AsyncIterable<string | Buffer>,
  maxChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<{ value: unknown; line: number }> {
  let mode: 'start' | 'array' | 'ndjson' = 'start';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let buf = '';
  let capturing = false;
  let line = 1;
  let startLine = 1;
  let ended = false;
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (let i = 0; i < text.length; i++) {
      let ch = text[i] as string;
      if (ch === '\uFEFF' && mode === 'start') continue;
      if (ch === '\n') line++;
      if (mode === 'start') {
        if (/\s/.test(ch)) continue;
        if (ch === '[') {
          mode = 'array';
          continue;
        }
        if (ch === '{') mode = 'ndjson';
        else throw new SyntaxError(`line ${line}: expected a JSON array or objects, found "${ch}"`);
      }
      if (ended) {
        if (/\s/.test(ch)) continue;
        throw new SyntaxError(`line ${line}: unexpected "${ch}" after the end of the array`);
      }
      if (capturing) {
        buf += ch;
        if (buf.length > maxChars)
          throw new SyntaxError(`line ${startLine}: line too long (an element over ${maxChars} characters)`);
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
          continue;
        }
        if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) {
            capturing = false;
            let value: unknown;
            try {
              value = JSON.parse(buf);
            } catch (err) {
              throw new SyntaxError(`line ${startLine}: ${(err as Error).message}`);
            }
            buf = '';
            yield { value, line: startLine };
          }
        }
        continue;
      }
      if (/\s/.test(ch)) continue;
      if (mode === 'array') {
        if (ch === ',') continue;
        if (ch === ']') {
          ended = true;
          continue;
        }
      }
      if (ch === '{' || ch === '[') {
        capturing = true;
        depth = 1;
        buf = ch;
        startLine = line;
        continue;
      }
      ch = ch === '"' ? 'a string' : ch;
      throw new SyntaxError(`line ${line}: expected an object, found ${ch}`);
    }
  }
  if (capturing) throw new SyntaxError(`line ${startLine}: the element starting here is never closed`);
  if (mode === 'array' && !ended) throw new SyntaxError(`line ${line}: the array is never closed`);
}
