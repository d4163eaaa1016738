import type { Writable } from 'node:stream';
import type { ExportColumn, ExportRow } from '../store/repos/export.ts';

/** One file format's streaming writer: pages of rows in, bytes out to the stream it was opened on. */
export interface ExportSink {
  write(rows: readonly ExportRow[]): Promise<void>;
  /** Writes the trailer (Parquet footer, XLSX central directory) and ends the stream. */
  end(): Promise<void>;
}

export type OpenSink = (out: Writable, columns: readonly ExportColumn[], title: string) => ExportSink;

/** Writes `chunk`, waiting for `drain` when the stream's buffer is full (bounded memory). */
export function writeChunk(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (out.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      out.off('drain', onDrain);
      reject(err);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/** Ends `out` and resolves once its data is flushed (stdout and sockets included). */
export function endStream(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}
