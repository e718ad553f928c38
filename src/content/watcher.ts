import {
  DEFAULT_EXTRACT_OPTIONS,
  extractLinks,
  isLinkElement,
  linkReader,
  linkElements,
  pageFacts,
  shadowRootsIn,
  type ExtractOptions,
} from '../core/extract';
import { LinkFolder, occurrenceKey } from '../core/occurrences';
import type { RecordReply } from '../core/messages';
import { newVisitId, nextStep, RETRY_DELAYS_MS } from '../core/delivery';
import type { PageDelta, PageSnapshot, RawLink } from '../core/types';

export interface WatchOptions {
  extract: ExtractOptions;
  /** Quiet time after the last change before new links are read. */
  debounceMs: number;
  /** A page that never stops changing is still read at least this often. */
  maxWaitMs: number;
  /** Link elements read per minute after the first snapshot: what a churning page costs. */
  perMinute: number;
  /** New visits per minute (in-app navigations): a page cannot make us reread it in a loop. */
  visitsPerMinute: number;
  /** Changed subtrees remembered between reads; past that, the next read rescans the page. */
  maxPendingRoots: number;
  /** Hidden this long, the page is no longer watched until it is shown again. */
  hiddenMs: number;
  /** How often the URL is checked where the Navigation API is missing (Firefox). */
  pollMs: number;
  /** Waits before resending a message that got no answer (core/delivery#nextStep). */
  retryDelaysMs: readonly number[];
  /**
   * Whole-page rereads after a visit starts. A component defined late attaches its shadow tree
   * to an element already in the page, which no mutation reports.
   */
  rescansAfterMs: readonly number[];
}

export const DEFAULT_WATCH_OPTIONS: WatchOptions = {
  extract: DEFAULT_EXTRACT_OPTIONS,
  debounceMs: 250,
  maxWaitMs: 2000,
  perMinute: 6000,
  visitsPerMinute: 12,
  maxPendingRoots: 500,
  hiddenMs: 60_000,
  pollMs: 1000,
  retryDelaysMs: RETRY_DELAYS_MS,
  rescansAfterMs: [1000, 4000],
};

/** How the watcher talks to the worker (messages in the extension, a fake in unit tests). */
export interface Transport {
  /** `visit` names the visit: the worker stores a snapshot sent twice under it once. */
  snapshot(snapshot: PageSnapshot, visit: string): Promise<RecordReply>;
  delta(delta: PageDelta): Promise<RecordReply>;
  /** False once the extension was updated or removed: this script is orphaned, and stops. */
  connected?(): boolean;
}

export interface Watcher {
  /** Stop watching for good: observers, timers and listeners are released. */
  stop(): void;
  /** Why the watcher is idle, if it is ('cap', 'hidden', 'prerendering', 'orphaned', 'refused: …'). */
  readonly idle: string | null;
}

/** What looking at a link already read costs in the per-minute budget, against 1 for a read. */
const KNOWN_LINK_COST = 0.1;

/** Replies after which watching this document is pointless: the worker will never record it. */
const FINAL_REFUSALS = new Set(['paused', 'excluded', 'incognito', 'not-http', 'not-a-page']);

const withoutFragment = (url: string) => url.split('#', 1)[0]!;

/** One visit of one URL: which elements were read, and each link's folded occurrences. */
class Visit {
  readonly folder = new LinkFolder();
  /** The key each read element was folded under (an href change makes it a new occurrence). */
  readonly keyOf = new WeakMap<Element, string>();
  /** Elements of each link, to count occurrences on screen rather than re-renders. */
  readonly members = new Map<string, Element[]>();
  /** What was last sent of each link: its occurrences and placements. */
  readonly sent = new Map<string, string>();
  read = 0;
  /** The snapshot was accepted: deltas have a visit to merge into. */
  accepted = false;
  /** The snapshot, when no try got an answer: sent again with the next change. */
  unanswered: PageSnapshot | null = null;
  readonly id = newVisitId();

  /** The URL without its fragment, which the visit is of. */
  readonly url: string;

  constructor(readonly href: string) {
    this.url = withoutFragment(href);
  }

  add(el: Element, occurrence: Parameters<LinkFolder['add']>[0]): void {
    const key = this.folder.add(occurrence);
    this.keyOf.set(el, key);
    this.read++;
    const members = (this.members.get(key) ?? []).filter((m) => m.isConnected);
    members.push(el);
    this.members.set(key, members);
    // A repeat counts while both stand on the page: a re-rendered link is not a second one.
    const link = this.folder.links.get(key)!;
    link.occurrences = Math.max(link.occurrences - 1, members.length);
  }

  /** Links new or changed since they were last sent, marked as sent. */
  unsent(): RawLink[] {
    const out: RawLink[] = [];
    for (const [key, link] of this.folder.links) {
      const state = `${link.occurrences}|${link.regions.join()}|${link.rels.join()}|${link.rel.join()}`;
      if (this.sent.get(key) === state) continue;
      this.sent.set(key, state);
      out.push(link);
    }
    return out;
  }

  /** Forget that these were sent, so the next delta carries them again. */
  unsend(links: readonly RawLink[]): void {
    for (const link of links) this.sent.delete(occurrenceKey(link));
  }
}

/**
 * Watch a document for links a person sees: the first render, links added later (batched and
 * debounced, within a per-minute and a per-visit budget), links in open shadow trees, and
 * in-app navigations of single-page apps (each starts a new visit under the new URL).
 * Only what is new is sent after the first snapshot.
 */
export function watchPage(
  doc: Document,
  win: Window,
  transport: Transport,
  options: WatchOptions = DEFAULT_WATCH_OPTIONS,
): Watcher {
  let visit = new Visit(win.location.href);
  let idle: string | null = null;
  let stopped = false;
  const pending = new Set<Node>();
  let rescan = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstChangeAt = 0;
  let hiddenTimer: ReturnType<typeof setTimeout> | null = null;
  let rescanTimers: Array<ReturnType<typeof setTimeout>> = [];
  let windowStart = Date.now();
  let usedThisWindow = 0;
  let visitsThisWindow = 0;
  /** Links already read whose href or content changed since: read again, the rest are skipped. */
  const dirty = new Set<Element>();
  /** Too many changes to remember each: the next rescan reads known links again too. */
  let rereadKnown = false;
  // One message in flight at a time, in order: a delta never overtakes its visit's snapshot.
  let queue: Promise<unknown> = Promise.resolve();
  let observed = new WeakSet<Node>();

  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') markDirty(record.target as Element);
      else {
        // An anchor whose content changed is read again (its words may be new).
        if (record.target.nodeName === 'A') markDirty(record.target as Element);
        for (const node of Array.from(record.addedNodes))
          if (node.nodeType === 1) pending.add(node);
      }
    }
    if (pending.size > options.maxPendingRoots) {
      pending.clear();
      rescan = true;
    }
    if (pending.size > 0 || rescan) schedule();
  });

  function markDirty(el: Element): void {
    pending.add(el);
    if (dirty.size < options.maxPendingRoots) dirty.add(el);
    else rereadKnown = true;
  }

  /** The budgets count per minute: a new minute starts them afresh. */
  function budgetLeft(now: number): { links: boolean; visits: boolean } {
    if (now - windowStart >= 60_000) {
      windowStart = now;
      usedThisWindow = 0;
      visitsThisWindow = 0;
    }
    return {
      links: usedThisWindow < options.perMinute,
      visits: visitsThisWindow < options.visitsPerMinute,
    };
  }

  /** Over budget until then: changes wait, and the flush at the new minute reads them all. */
  let deferredUntil = 0;

  /** Come back when the minute's budget is renewed. */
  function waitForBudget(now: number): void {
    if (timer) clearTimeout(timer);
    deferredUntil = windowStart + 60_000;
    timer = setTimeout(() => {
      deferredUntil = 0;
      flush();
    }, deferredUntil - now);
  }

  function observe(root: Document | ShadowRoot): void {
    if (observed.has(root)) return;
    observed.add(root);
    observer.observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['href'],
    });
  }

  function connect(): void {
    idle = null;
    observe(doc);
  }

  function disconnect(reason: string): void {
    idle = reason;
    observer.disconnect();
    observed = new WeakSet(); // every root is observed anew after a disconnect
    pending.clear();
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function schedule(delay = options.debounceMs): void {
    if (stopped) return;
    const now = Date.now();
    // While deferred, only an in-app navigation with visits left to start is read sooner.
    const navigated = withoutFragment(win.location.href) !== visit.url;
    if (deferredUntil > now && !(navigated && budgetLeft(now).visits)) return;
    deferredUntil = 0;
    if (!timer) firstChangeAt = now;
    else clearTimeout(timer);
    // Debounced, but a page that changes all the time is still read every maxWaitMs.
    const wait = Math.min(delay, Math.max(0, firstChangeAt + options.maxWaitMs - now));
    timer = setTimeout(flush, wait);
  }

  function send(kind: 'snapshot' | 'delta', message: () => Promise<RecordReply>) {
    const attempt = async (tries: number): Promise<RecordReply | null> => {
      let reply: unknown;
      try {
        reply = await message();
      } catch {
        // No answer: the worker was stopped, is starting, or its process died.
      }
      const step = nextStep(reply, tries, options.retryDelaysMs);
      if ('answer' in step && step.answer) return step.answer;
      if (transport.connected?.() === false) {
        stop('orphaned');
        return null;
      }
      if ('answer' in step || stopped) return null;
      await new Promise((resolve) => setTimeout(resolve, step.retryInMs));
      return attempt(tries + 1);
    };
    const sent = queue.then(() => attempt(0));
    queue = sent;
    return sent.then((reply) => {
      if (!reply || reply.recorded || stopped) return reply;
      if (FINAL_REFUSALS.has(reply.reason)) stop(`refused: ${reply.reason}`);
      // The URL moved on (in-app navigation): the next read starts the new visit.
      else if (reply.reason === 'stale') schedule(0);
      else if (kind === 'delta' && reply.reason === 'no-visit') startVisit();
      return reply;
    });
  }

  /** Read the whole document as a new visit of the URL it shows now, and send it. */
  function startVisit(): void {
    pending.clear();
    dirty.clear();
    rescan = false;
    rereadKnown = false;
    budgetLeft(Date.now());
    visitsThisWindow++;
    const current = new Visit(win.location.href);
    visit = current;
    const found = extractLinks(doc, options.extract);
    found.occurrences.forEach((o, i) => current.add(found.elements[i]!, o));
    for (const shadow of found.shadows) observe(shadow);
    const links = current.unsent();
    const snapshot: PageSnapshot = {
      ...pageFacts(doc, options.extract, found.occurrences),
      url: current.href,
      links,
      totalLinks: found.total,
      truncated: found.truncated,
    };
    sendSnapshot(current, snapshot);
    if (found.truncated || current.read >= options.extract.maxLinks) disconnect('cap');
    rescanTimers.forEach(clearTimeout);
    rescanTimers = options.rescansAfterMs.map((ms) =>
      setTimeout(() => {
        rescan = true;
        schedule(0);
      }, ms),
    );
  }

  /** Send a visit's snapshot; one that never got an answer waits for the next change. */
  function sendSnapshot(current: Visit, snapshot: PageSnapshot): void {
    void send('snapshot', () => transport.snapshot(snapshot, current.id)).then((reply) => {
      if (reply?.recorded && visit === current) current.accepted = true;
      else if (!reply && visit === current) current.unanswered = snapshot;
    });
  }

  /** Elements to look at: the link elements in and under each changed node. */
  function candidates(): Element[] {
    if (rescan) {
      rescan = false;
      pending.clear();
      const shadows = shadowRootsIn(doc);
      shadows.forEach(observe);
      return [...linkElements(doc, shadows)];
    }
    const out: Element[] = [];
    for (const node of pending) {
      if (!node.isConnected || node.nodeType !== 1) continue;
      const el = node as Element;
      if (isLinkElement(el)) out.push(el);
      out.push(...Array.from(el.querySelectorAll('a[href], area[href]')));
      // Components attach their shadow trees as they are added: watch and read those too.
      for (const shadow of shadowRootsIn(el)) {
        observe(shadow);
        out.push(...Array.from(shadow.querySelectorAll('a[href], area[href]')));
      }
    }
    pending.clear();
    return out;
  }

  function flush(): void {
    timer = null;
    if (stopped) return;
    if (withoutFragment(win.location.href) !== visit.url) {
      // In-app navigation: what is on screen now is the new URL's, read whole as a new visit.
      const now = Date.now();
      if (!budgetLeft(now).visits) return waitForBudget(now);
      connect();
      startVisit();
      return;
    }
    readChanges();
  }

  /** Read the links in what changed since the last read, within budget, and send what is new. */
  function readChanges(): void {
    if (idle) return;
    const now = Date.now();
    // Over budget: the changes wait for the next minute (remembered as a rescan if many).
    if (!budgetLeft(now).links) return waitForBudget(now);
    const rereading = rereadKnown;
    const elements = candidates();
    const reader = linkReader(doc, options.extract);
    let finished = true;
    for (const el of elements) {
      if (usedThisWindow >= options.perMinute) {
        rescan = true; // what was not read is found by a rescan in the next window
        finished = false;
        waitForBudget(now);
        break;
      }
      // A link already read that did not change since is not read again (rescans meet many),
      // but looking at it counts a little: a page that re-inserts the same big block again and
      // again runs out of budget too, and a rescan still leaves room for the new links.
      if (!rereading && !dirty.has(el) && visit.keyOf.has(el)) {
        usedThisWindow += KNOWN_LINK_COST;
        continue;
      }
      usedThisWindow++;
      dirty.delete(el);
      if (visit.read >= options.extract.maxLinks) break;
      const occurrence = reader.read(el);
      if (!occurrence) continue;
      if (visit.keyOf.get(el) === occurrenceKey(occurrence)) continue;
      visit.add(el, occurrence);
    }
    if (finished && rereading) rereadKnown = false;
    if (visit.read >= options.extract.maxLinks) disconnect('cap');
    const links = visit.unsent();
    const current = visit;
    // Sent again under the same visit id, so a copy that was stored after all counts once; the
    // links found since follow as a delta of that visit.
    if (current.unanswered) {
      sendSnapshot(current, current.unanswered);
      current.unanswered = null;
    }
    if (links.length === 0) return;
    const delta: PageDelta = { url: current.href, links };
    void send('delta', () => transport.delta(delta)).then((reply) => {
      if (!reply && visit === current) current.unsend(links);
    });
  }

  /**
   * The URL may have changed. Told by the Navigation API or popstate, this runs as the URL
   * changes, before the app renders the new view: changes not yet read are the old URL's, so
   * they are read for it now. Told by the poll, the new view may be on screen already, so they
   * are left to the new visit.
   */
  function onUrlMaybeChanged(event?: Event): void {
    if (withoutFragment(win.location.href) === visit.url) return;
    if (event) readChanges();
    schedule();
  }

  function onVisibility(): void {
    if (doc.visibilityState === 'hidden') {
      hiddenTimer ??= setTimeout(() => disconnect('hidden'), options.hiddenMs);
      return;
    }
    if (hiddenTimer) clearTimeout(hiddenTimer);
    hiddenTimer = null;
    if (idle === 'hidden') {
      connect();
      rescan = true;
      schedule(0);
    }
  }

  function onPageShow(event: PageTransitionEvent): void {
    // Back from the back/forward cache: the person is looking at the page again.
    if (event.persisted) {
      connect();
      startVisit();
    }
  }

  // The Navigation API reports in-app navigations (pushState, replaceState, traversal); where
  // it is missing, a cheap poll of the URL does (content scripts cannot see pushState calls).
  const navigation = (win as Window & { navigation?: EventTarget }).navigation;
  navigation?.addEventListener('currententrychange', onUrlMaybeChanged);
  const poll = navigation ? null : setInterval(() => onUrlMaybeChanged(), options.pollMs);
  win.addEventListener('popstate', onUrlMaybeChanged);
  win.addEventListener('pageshow', onPageShow);
  doc.addEventListener('visibilitychange', onVisibility);

  function stop(reason = 'stopped'): void {
    if (stopped) return;
    disconnect(reason);
    stopped = true;
    if (hiddenTimer) clearTimeout(hiddenTimer);
    rescanTimers.forEach(clearTimeout);
    if (poll) clearInterval(poll);
    navigation?.removeEventListener('currententrychange', onUrlMaybeChanged);
    win.removeEventListener('popstate', onUrlMaybeChanged);
    win.removeEventListener('pageshow', onPageShow);
    doc.removeEventListener('visibilitychange', onVisibility);
    doc.removeEventListener('prerenderingchange', begin);
  }

  function begin(): void {
    if (stopped) return;
    connect();
    startVisit();
    onVisibility();
  }

  // A page the browser prerenders may never be shown: it is a visit once the person goes there.
  // https://wicg.github.io/nav-speculation/prerendering.html#document-prerendering
  if ((doc as Document & { prerendering?: boolean }).prerendering) {
    idle = 'prerendering';
    doc.addEventListener('prerenderingchange', begin, { once: true });
  } else begin();
  return {
    stop: () => stop(),
    get idle() {
      return idle;
    },
  };
}
