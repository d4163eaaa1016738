/**
 * Splits one CSV line into fields (RFC 4180 quoting, `""` escapes). Returns null when a quoted field is not
 * closed on this line; numeric market data never spans lines, so the importer reports that as malformed.
 */
export function splitCsvLine(line: string, delimiter = ','): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      out.push(value);
      if (i < n && line[i] !== delimiter) return null;
      i++;
    } else {
      const end = line.indexOf(delimiter, i);
      if (end === -1) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, end));
      i = end + 1;
      if (i === n) {
        out.push('');
        break;
      }
    }
  }
  return out;
}
