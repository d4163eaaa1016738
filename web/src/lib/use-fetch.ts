import { type Ref, ref, shallowRef, type WatchSource, watch } from 'vue';
import { errorText, getJson } from './api.ts';

export interface Fetched<T> {
  data: Ref<T | null>;
  /** A request is under way (the first one starts at once, so this is true before any answer). */
  loading: Ref<boolean>;
  error: Ref<string | null>;
  /** HTTP status of the last failure (0 when the server could not be reached). */
  status: Ref<number | null>;
  reload: () => Promise<void>;
}

/**
 * Loads `path()` now and whenever a watched source changes; keeps the previous data while reloading so
 * charts do not flash. A stale answer (an older request finishing last) is dropped.
 */
export function useFetch<T>(path: () => string | null, sources: WatchSource[] = []): Fetched<T> {
  const data = shallowRef<T | null>(null);
  // True from the start when there is something to load: the first render is "loading", never "empty".
  const loading = ref(path() !== null);
  const error = ref<string | null>(null);
  const status = ref<number | null>(null);
  let seq = 0;
  async function reload(): Promise<void> {
    const p = path();
    if (p === null) return;
    const mine = ++seq;
    loading.value = true;
    try {
      const body = await getJson<T>(p);
      if (mine !== seq) return;
      data.value = body;
      error.value = null;
      status.value = null;
    } catch (err) {
      if (mine !== seq) return;
      error.value = errorText(err);
      status.value = (err as { status?: number }).status ?? null;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  if (sources.length > 0) watch(sources, () => void reload());
  void reload();
  return { data: data as Ref<T | null>, loading, error, status, reload };
}
