/**
 * Chromium trace events as the trace benches read them (boot-hot-popup-trace, toolbar-popup-
 * trace, report-timeline): the categories they record, a kind for an event's name, and each
 * event's self time on its thread.
 */

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread time: what the event cost the thread, less the time it was descheduled. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

/** The categories the renderer's main-thread work and the page's marks are in. */
export const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
  'v8.execute',
].join(',');

const KINDS: Array<[string, RegExp]> = [
  ['gc', /GC|Scavenge|MarkCompact|Sweep/i],
  ['style', /^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet)$/],
  ['layout', /^(Layout|UpdateLayout|IntersectionObserverController)/],
  [
    'paint',
    /^(PrePaint|Paint|PaintImage|Layerize|Commit|UpdateLayer|CompositeLayers|RasterTask|ScrollLayer)/,
  ],
  ['parse', /^(ParseHTML)$/],
  ['compile', /compile|Compile|v8\.parse|CacheScript/],
  [
    'script',
    /^(FunctionCall|EvaluateScript|TimerFire|FireAnimationFrame|RunMicrotasks|EventDispatch|v8\.|V8\.|RunTask|FireIdleCallback|XHR|v8\.run|ResourceReceiveResponse)/,
  ],
];

/** What kind of work an event's name is: script, style, layout, paint, gc, … or other. */
export const kindOf = (name: string): string =>
  KINDS.find(([, re]) => re.test(name))?.[0] ?? 'other';

/** The complete ('X') events of one thread, in time order, an outer event before its inner. */
export function threadEvents(events: readonly TraceEvent[], pid: number, tid: number) {
  return events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
}

/**
 * Each of `own` (one thread's events, in threadEvents' order) with its self time in ms: its
 * cost less its children's, nested by time. The cost is thread time where the event has it (a
 * loaded machine deschedules the thread), else wall time.
 */
export function forEachSelfTime(
  own: readonly TraceEvent[],
  visit: (e: TraceEvent, selfMs: number) => void,
): void {
  const cost = (e: TraceEvent) => e.tdur ?? e.dur ?? 0;
  const stack: Array<{ e: TraceEvent; children: number }> = [];
  const close = (upTo: number) => {
    while (stack.length > 0 && stack.at(-1)!.e.ts + (stack.at(-1)!.e.dur ?? 0) <= upTo) {
      const { e, children } = stack.pop()!;
      if (stack.length > 0) stack.at(-1)!.children += cost(e);
      visit(e, Math.max(0, cost(e) - children) / 1000);
    }
  };
  for (const e of own) {
    close(e.ts);
    stack.push({ e, children: 0 });
  }
  close(Infinity);
}
