import type { Writable } from 'node:stream';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { ExportColumn, ExportColumnKind, ExportRow } from '../store/repos/export.ts';
import { type ExportSink, endStream, writeChunk } from './sink.ts';

/**
 * Parquet through `hyparquet-writer` (pure JavaScript, one small dependency, no native or WASM build, so it
 * installs from npm anywhere Node runs; it writes row group by row group to any `Writer`, which is what
 * streaming needs). Types: timestamps INT64 TIMESTAMP(MILLIS, UTC), floats DOUBLE, dates DATE, ids INT64,
 * symbols dictionary-encoded UTF8, JSON as the JSON logical type.
 */

/** Rows per row group: big enough for good compression, small enough to keep memory bounded. */
const ROW_GROUP_ROWS = 32_768;

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

function element(col: ExportColumn): SchemaElement {
  const base = { name: col.name, repetition_type: 'OPTIONAL' as const };
  switch (col.kind) {
    case 'timestamp':
      return {
        ...base,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE' };
    case 'float':
      return { ...base, type: 'DOUBLE' };
    case 'int':
      return { ...base, type: 'INT64' };
    case 'json':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    case 'symbol':
    case 'text':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  }
}

function columnValues(kind: ExportColumnKind, values: unknown[]): unknown[] {
  if (kind === 'int') return values.map((v) => (v === null ? null : BigInt(Math.trunc(Number(v)))));
  if (kind === 'float') return values.map((v) => (v === null ? null : Number(v)));
  if (kind === 'symbol' || kind === 'text' || kind === 'json')
    return values.map((v) => (v === null ? null : String(v)));
  return values;
}

/** A `Writer` that hands each flushed chunk to a Node stream and waits for it to drain. */
class StreamByteWriter extends ByteWriter {
  constructor(private readonly out: Writable) {
    super(1 << 20);
  }
  flush(): Promise<void> {
    if (this.index === 0) return Promise.resolve();
    // Copied: the buffer is reused for the next row group once the index is reset.
    const chunk = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return writeChunk(this.out, chunk);
  }
  override finish(): Promise<void> {
    return this.flush();
  }
}

export function openParquetSink(out: Writable, columns: readonly ExportColumn[]): ExportSink {
  const writer = new StreamByteWriter(out);
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.map(element)];
  const pq = new ParquetWriter({ writer, schema, createdBy: 'marketpipe export' });
  let pending: unknown[][] = columns.map(() => []);
  let pendingRows = 0;

  async function flushGroup(): Promise<void> {
    if (pendingRows === 0) return;
    const columnData = columns.map((c, i) => ({
      name: c.name,
      data: columnValues(c.kind, pending[i] ?? []),
      ...(c.kind === 'symbol' ? { encoding: 'RLE_DICTIONARY' as const } : {}),
    }));
    pending = columns.map(() => []);
    pendingRows = 0;
    // biome-ignore lint/suspicious/noExplicitAny: DecodedArray is hyparquet's union of typed arrays and any[]
    await pq.write({ columnData: columnData as any, rowGroupSize: ROW_GROUP_ROWS });
    await writer.flush();
  }

  return {
    async write(rows: readonly ExportRow[]) {
      for (const row of rows) {
        for (let c = 0; c < columns.length; c++) (pending[c] as unknown[]).push(row[c] ?? null);
        pendingRows++;
        if (pendingRows >= ROW_GROUP_ROWS) await flushGroup();
      }
    },
    async end() {
      await flushGroup();
      await pq.finish();
      await endStream(out);
    },
  };
}
