import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A soft cap on the V8 heap while an export runs. The writers' live data is small (one page, one Parquet row
 * group), but they allocate fast (exceljs builds objects and XML per row; hyparquet-writer a byte array per
 * string), and V8 on a machine with gigabytes free lets garbage pile up for a long while before a full
 * collection: measured, 250–500 MB RSS for 1.2M rows whose live set fits in 64 MB. The issue's budget is
 * 200 MB whatever the machine, so after each page the CLI's export (a process of its own) checks the heap in
 * use and, above the cap, collects itself; a server does not force collections between other requests. `--expose-gc` is turned on when first needed (`v8.setFlagsFromString`, then `gc` taken
 * from a fresh context); where that fails (a runtime without it) the check does nothing and V8 decides.
 */

/** Headroom (MB) over what survived the last collection before the next one: live data never thrashes. */
const HEADROOM_MB = 24;

let gc: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    gc = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    gc = null;
  }
  return gc;
}

/** The check an export runs after each page: collects garbage when the heap in use passes the cap. */
export function heapGuard(softLimitMb: number): () => void {
  const floor = softLimitMb * 1024 * 1024;
  let limit = floor;
  return () => {
    if (getHeapStatistics().used_heap_size <= limit) return;
    const fn = collector();
    if (!fn) return;
    fn();
    limit = Math.max(floor, getHeapStatistics().used_heap_size + HEADROOM_MB * 1024 * 1024);
  };
}
