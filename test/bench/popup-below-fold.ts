/**
 * Where the hot popup's time goes between its first viewport and its 30 groups, with its tab's
 * first view (s18 popup30), and whether `content-visibility: auto` on the groups cuts it
 * (hypothesis: layout and paint of the 150 rows below the fold). Opens the popup for a tab on
 * the hot page of a profile boot-hot seeded, in turns with and without the CSS rule (injected),
 * and prints medians of: ms at the first viewport and at all groups (in the page), and the
 * page's main-thread time by kind up to a moment after all groups (CDP Performance metrics:
 * task, script, layout, style; less stretched by load than wall time).
 *   BENCH_BOOT_PROFILE=<copy of a boot-hot profile> npx tsx test/bench/popup-below-fold.ts
 * s18 (100k, 5 turns, load 22-24): the rule cut layout 46 -> 6 ms, style 13 -> 6 and the
 * page's task time 316 -> 231 ms, but the wall times to all groups were not better (1348 vs
 * 2448 ms, too noisy at that load to read either way): not landed.
 */
import { rmSync } from 'node:fs';
import { DIST_DIR, launchWithExtension } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP } from '../support/extension-pages';
import { holdRetention, keyedCopy, loadAverage, manifestKey, openHotTab } from './boot-hot';
import { freshEntry } from './first-view-pairs';
import { median } from './measure';

const HOT = 'https://www.hot-target.com/the-definitive-guide';
const TURNS = Number(process.env.TURNS ?? 8);
const RULE = '.page-popup .group { content-visibility: auto; contain-intrinsic-size: auto 200px; }';

const WATCH = (rule: string | null) => `(() => {
  const t = (window.__t = {});
  const rule = ${JSON.stringify(rule)};
  new MutationObserver(() => {
    const n = document.querySelectorAll('.report .group').length;
    if (n >= 4 && t.first === undefined) t.first = performance.now();
    if (n >= 30 && t.all === undefined) t.all = performance.now();
    if (rule && !t.styled && document.head) {
      t.styled = true;
      const s = document.createElement('style');
      s.textContent = rule;
      document.head.append(s);
    }
  }).observe(document, { childList: true, subtree: true });
})()`;

async function main() {
  const profile = process.env.BENCH_BOOT_PROFILE;
  if (!profile) throw new Error('BENCH_BOOT_PROFILE=<a boot-hot profile copy> is required');
  const dist = keyedCopy(process.env.DIST ?? DIST_DIR, manifestKey(profile));
  const server = await startSiteServer();
  const ext = await holdRetention(
    await launchWithExtension({ sitePort: server.port, distDir: dist, userDataDir: profile }),
  );
  try {
    const tab = await openHotTab(ext, HOT);
    const rows: Record<string, Array<Record<string, number>>> = {
      plain: [],
      'content-visibility': [],
    };
    for (let turn = -1; turn < TURNS; turn++) {
      for (const kind of turn % 2 === 0
        ? ['plain', 'content-visibility']
        : ['content-visibility', 'plain']) {
        await freshEntry(ext, tab);
        await new Promise((r) => setTimeout(r, 1000));
        const page = await ext.context.newPage();
        await page.setViewportSize({ width: 400, height: 600 });
        await page.addInitScript({ content: WATCH(kind === 'plain' ? null : RULE) });
        const cdp = await ext.context.newCDPSession(page);
        await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
        await page.goto(ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(HOT)}&tab=${tab.id}`));
        await page.waitForFunction(
          () => (window as unknown as { __t: { all?: number } }).__t.all !== undefined,
          null,
          { timeout: 60_000 },
        );
        // Two frames after: the layout and paint of what was rendered.
        await page.evaluate(
          () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
        );
        const { metrics } = await cdp.send('Performance.getMetrics');
        const m = (n: string) => (metrics.find((x) => x.name === n)?.value ?? NaN) * 1000;
        // A string: tsx would wrap a named helper in a call the page does not have.
        const t = (await page.evaluate(`(() => {
          const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
          return { first: __t.first, all: __t.all, entry: at('bl:first-view'), own: at('bl:head-read') };
        })()`)) as Record<string, number>;
        await page.close();
        if (turn >= 0)
          rows[kind]!.push({
            ...t,
            task: m('TaskDuration'),
            script: m('ScriptDuration'),
            layout: m('LayoutDuration'),
            style: m('RecalcStyleDuration'),
          });
      }
    }
    console.log(`load ${loadAverage()}; ${TURNS} turns each, medians (ms)`);
    for (const [kind, samples] of Object.entries(rows)) {
      const keys = Object.keys(samples[0]!);
      console.log(
        kind.padEnd(20),
        keys
          .map(
            (k) => `${k} ${median(samples.map((s) => s[k]!).filter(Number.isFinite)).toFixed(0)}`,
          )
          .join(', '),
      );
    }
  } finally {
    await ext.close();
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  }
}
void main();
