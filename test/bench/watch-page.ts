/**
 * The live page the watcher benchmark serves: a news page with links in five regions at load,
 * whose script then adds LINKS_PER_TICK links every TICK_MS (100 a second) for as many ticks
 * as it is told: into the nav, the top of the feed, the sidebar, the comments and the footer,
 * some of them repeating a target already shown (same anchor, or a new one), and drops each
 * region's oldest items beyond KEEP_PER_REGION. The page counts the distinct links it showed,
 * so the benchmark can compare with what the extension recorded.
 */

export const WATCH_HOST = 'live-feed.test';
export const WATCH_URL = `http://${WATCH_HOST}/live`;
export const INITIAL_LINKS = 200;
export const LINKS_PER_TICK = 10;
export const TICK_MS = 100;
/**
 * Items each region keeps, the oldest going first, as live feeds, tickers and chats (or
 * virtualized lists) do: the page stays the size of a big page, about a thousand links, so
 * its own rendering, which the figure must see through, stays the same from start to end.
 * A watcher that re-reads the whole page on every batch still pays for all of them.
 */
export const KEEP_PER_REGION = 200;

/** What one run of the page's script did. */
export interface ChurnResult {
  ticks: number;
  added: number;
  /** Distinct (href, anchor) pairs on the page at the end, the ones present at load included. */
  keys: number;
  /** Distinct (href, anchor) pairs present at load. */
  initialKeys: number;
  /** How late the latest tick ran against its schedule (a busy machine shows here). */
  maxLateMs: number;
  /**
   * Times the page was hidden: at the start of the run, or by a visibilitychange during it
   * (a hidden page may stop being watched, and its timers slow down).
   */
  hiddenEvents: number;
}

declare global {
  interface Window {
    __churn?: { run(ticks: number): Promise<ChurnResult> };
  }
}

const WORDS = 'coffee brewing guide review espresso grinder roast beans kettle latte'.split(' ');

function initialLinks(region: string, count: number, offset: number): string {
  const items: string[] = [];
  for (let i = offset; i < offset + count; i++) {
    const word = WORDS[i % WORDS.length]!;
    items.push(`<li><a href="https://ref${i % 37}.example/start/${i}">start ${word} ${i}</a></li>`);
  }
  return `<ul class="${region}-links">${items.join('')}</ul>`;
}

/**
 * The page's own script, kept as plain JavaScript text: it runs in the page, and tsx would
 * wrap named functions in a helper the page does not have.
 */
const SCRIPT = `(() => {
  const WORDS = ${JSON.stringify(WORDS)};
  const PER_TICK = ${LINKS_PER_TICK};
  const TICK_MS = ${TICK_MS};
  const KEEP = ${KEEP_PER_REGION};
  const lists = {
    nav: document.querySelector('#nav ul'),
    feed: document.querySelector('#feed'),
    aside: document.querySelector('#sidebar ul'),
    comments: document.querySelector('#comments ol'),
    footer: document.querySelector('#footer ul'),
  };
  const regions = Object.keys(lists);
  const keys = new Set();
  const shown = [];
  let hiddenEvents = 0;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') hiddenEvents++;
  });
  for (const a of document.querySelectorAll('a[href]')) {
    keys.add(a.href + '\\u0000' + a.textContent);
    shown.push([a.getAttribute('href'), a.textContent]);
  }
  const initialKeys = keys.size;
  let n = 0;

  function link(href, anchor, rel) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = anchor;
    if (rel) a.rel = rel;
    keys.add(a.href + '\\u0000' + anchor);
    shown.push([href, anchor]);
    return a;
  }

  function addOne() {
    n++;
    const word = WORDS[n % WORDS.length];
    const kind = n % 10;
    let href;
    let anchor;
    if (kind < 7) {
      href = 'https://site' + (n % 173) + '.example/' + word + '/' + n;
      anchor = word + ' ' + WORDS[(n >> 3) % WORDS.length] + ' ' + n;
    } else {
      // A target already on the page: the same link again elsewhere, or with other words.
      const [oldHref, oldAnchor] = shown[(n * 7919) % shown.length];
      href = oldHref;
      anchor = kind < 9 ? oldAnchor : 'more on ' + word + ' ' + n;
    }
    const region = regions[(n * 3 + Math.floor(n / 10)) % regions.length];
    const list = lists[region];
    if (list.childElementCount >= KEEP) {
      // The feed's oldest item is its last one.
      (region === 'feed' ? list.lastElementChild : list.firstElementChild).remove();
    }
    if (region === 'feed') {
      // Feeds put the newest story on top.
      const story = document.createElement('article');
      story.className = 'story';
      const title = document.createElement('h3');
      title.append(link(href, anchor));
      const text = document.createElement('p');
      text.textContent = 'Story ' + n + ' about ' + word + ', updated just now.';
      story.append(title, text);
      list.prepend(story);
    } else if (region === 'comments') {
      const item = document.createElement('li');
      item.className = 'comment';
      const text = document.createElement('p');
      text.append('Reader ' + n + ' says see ', link(href, anchor, 'nofollow ugc'));
      item.append(text);
      list.append(item);
    } else {
      const item = document.createElement('li');
      item.append(link(href, anchor, region === 'aside' && kind === 3 ? 'sponsored' : ''));
      list.append(item);
    }
  }

  window.__churn = {
    run: (ticks) =>
      new Promise((resolve) => {
        if (document.visibilityState !== 'visible') hiddenEvents++;
        const start = performance.now();
        let done = 0;
        let maxLateMs = 0;
        const tick = () => {
          maxLateMs = Math.max(maxLateMs, performance.now() - (start + (done + 1) * TICK_MS));
          for (let i = 0; i < PER_TICK; i++) addOne();
          done++;
          if (done < ticks) {
            setTimeout(tick, Math.max(0, start + (done + 1) * TICK_MS - performance.now()));
            return;
          }
          resolve({
            ticks: done,
            added: done * PER_TICK,
            keys: keys.size,
            initialKeys,
            maxLateMs,
            hiddenEvents,
          });
        };
        setTimeout(tick, TICK_MS);
      }),
  };
})();`;

export function buildWatchPageHtml(): string {
  const perRegion = INITIAL_LINKS / 5;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Live: the coffee news feed</title></head>
<body>
<header id="top"><nav id="nav">${initialLinks('nav', perRegion, 0)}</nav></header>
<div class="layout">
<main id="content"><h1>Live feed</h1><section id="feed">${initialLinks('feed', perRegion, perRegion)}</section></main>
<aside id="sidebar">${initialLinks('aside', perRegion, 2 * perRegion)}</aside>
</div>
<div id="comments" class="comments-area"><ol>${initialLinks('comments', perRegion, 3 * perRegion).replace(/^<ul[^>]*>|<\/ul>$/g, '')}</ol></div>
<footer id="footer">${initialLinks('footer', perRegion, 4 * perRegion)}</footer>
<script>${SCRIPT}</script>
</body></html>`;
}
