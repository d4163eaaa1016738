import { describe, expect, it } from 'vitest';
import { streamJsonElements } from './json-stream.ts';

async function collect(chunks: string[]) {
  async function* gen() {
    yield* chunks;
  }
  const out: Array<{ value: unknown; line: number }> = [];
  for await (const e of streamJsonElements(gen())) out.push(e);
  return out;
}

describe('streamJsonElements', () => {
  it('yields array elements across arbitrary chunk boundaries, with their lines', async () => {
    const doc =
      '[\n {"ts": "2024-01-01", "price": 1.5, "note": "a ] } \\" b"},\n {"ts": 2, "price": [1, {"x": 2}]}\n]\n';
    for (const size of [1, 3, 7, doc.length]) {
      const chunks: string[] = [];
      for (let i = 0; i < doc.length; i += size) chunks.push(doc.slice(i, i + size));
      const got = await collect(chunks);
      expect(got).toEqual([
        { value: { ts: '2024-01-01', price: 1.5, note: 'a ] } " b' }, line: 2 },
        { value: { ts: 2, price: [1, { x: 2 }] }, line: 3 },
      ]);
    }
  });
  it('reads newline-delimited objects and a leading BOM', async () => {
    const got = await collect(['\uFEFF{"a":1}\n{"a":2}\n']);
    expect(got.map((g) => g.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });
  it('names the line of a broken element', async () => {
    await expect(collect(['[{"a":1},\n{"a": tru}]'])).rejects.toThrow(/^line 2: /);
    await expect(collect(['[{"a":1}'])).rejects.toThrow(/never closed/);
    await expect(collect(['"just a string"'])).rejects.toThrow(/expected a JSON array/);
  });
});
