/**
 * A small SQL tokenizer for display: keywords, strings, numbers, comments, the rest. Rendered as text
 * spans (never as HTML), so a model's SQL cannot inject markup.
 */
type SqlTokenKind = 'keyword' | 'string' | 'number' | 'comment' | 'text';

export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
}

const KEYWORDS = new Set(
  `select from where group by order having limit offset join left right inner outer full cross on as and or not
in is null case when then else end with distinct union all intersect except over partition asc desc between like
ilike exists interval true false filter lateral using natural any some cast rows range preceding following current row`.split(
    /\s+/,
  ),
);

const TOKEN =
  /(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*')|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(\s+|[^\sA-Za-z0-9_'-]+|-)/g;

export function tokenizeSql(sql: string): SqlToken[] {
  const out: SqlToken[] = [];
  for (const m of sql.matchAll(TOKEN)) {
    const [text, comment, str, num, word] = m;
    const kind: SqlTokenKind = comment
      ? 'comment'
      : str
        ? 'string'
        : num
          ? 'number'
          : word && KEYWORDS.has(word.toLowerCase())
            ? 'keyword'
            : 'text';
    const last = out[out.length - 1];
    if (kind === 'text' && last?.kind === 'text') last.text += text;
    else out.push({ kind, text });
  }
  return out;
}
