import { onBeforeUnmount, onMounted, type ShallowRef, shallowRef, useTemplateRef, watch } from 'vue';

/** What a chart component drives: draw an input (again on each change), destroy on unmount. */
interface Chart<I, D> {
  draw(input: I): D;
  destroy(): void;
}

/**
 * A chart in the template's element `ref="<refName>"`: made on mount, drawn with `input()` and redrawn
 * whenever it changes, destroyed on unmount. `drawn` is what the last draw reported (null before the first).
 */
export function useChart<I, D>(
  refName: string,
  make: (el: HTMLDivElement) => Chart<I, D>,
  input: () => I,
): ShallowRef<D | null> {
  const el = useTemplateRef<HTMLDivElement>(refName);
  const drawn = shallowRef<D | null>(null);
  let chart: Chart<I, D> | null = null;
  onMounted(() => {
    if (!el.value) return;
    chart = make(el.value);
    drawn.value = chart.draw(input());
  });
  watch(input, (v) => {
    if (chart) drawn.value = chart.draw(v);
  });
  onBeforeUnmount(() => chart?.destroy());
  return drawn;
}
