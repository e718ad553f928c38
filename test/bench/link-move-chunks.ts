/**
 * What one chunk of the link move costs, away from the worker's surroundings (popups, the
 * gate, a bench polling): the extension's move (storage/link-move.ts) and a raw one of the same
 * links, in one web page of one Chromium, at several chunk sizes, one after the other on a
 * store seeded afresh each time; and both again with the old store's first key read on a new
 * connection every 250 ms, as the link-move bench once watched the worker. Printed per row:
 * the move's time, each chunk's median, the time per link and the requests per chunk, so a
 * cost per transaction can be told from one per link. 20,000 links; BENCH_MOVE_LINKS=n.
 */
import { launchWithoutExtension } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { bundleForPage } from './page-bundle';
import { heading, info, median, printTable, type Timing } from './measure';
import { benchSizes } from './transfer';
import type { ChunkTimes } from './link-move-entry';

/** Links per transaction compared; the worker's floor is 250 (LINK_MOVE_SIZING). */
const SIZES = [100, 250, 1_000];
const POLLED_SIZE = 250;
const NAME = 'link-move-chunks';

const row = (name: string, links: number, chunk: number, t: ChunkTimes): Timing => {
  const perChunk = t.counts
    ? `, ${(t.counts.requests / t.chunks.length).toFixed(1)} requests each`
    : '';
  const polls = t.polls.length
    ? `; ${t.polls.length} polls, median ${median(t.polls).toFixed(0)} ms`
    : '';
  return {
    name,
    samples: [t.ms],
    median: t.ms,
    extra:
      `${t.chunks.length} chunks of ${chunk}, median ${median(t.chunks).toFixed(0)} ms` +
      `${perChunk}; ${(t.ms / links).toFixed(2)} ms per link${polls}`,
  };
};

export async function runLinkMoveChunks(): Promise<void> {
  heading(
    'link-move chunks: the move against a raw one, per chunk size (Chromium page)',
    "The extension's chunked move and a raw one of the same links in one page, 100, 250 and\n" +
      '1,000 links per transaction, then at 250 with the old store polled every 250 ms.',
  );
  const script = await bundleForPage('./link-move-entry.ts', 'BacklinkMove');
  const server = await startSiteServer();
  const browser = await launchWithoutExtension({ sitePort: server.port });
  try {
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.evaluate(script);
    const sizes = process.env.BENCH_MOVE_LINKS ? benchSizes('BENCH_MOVE_LINKS') : [20_000];
    for (const links of sizes) {
      const n = links.toLocaleString('en-US');
      const rows: Timing[] = [];
      const runs: Array<[number, boolean]> = [
        ...SIZES.map((s): [number, boolean] => [s, false]),
        [POLLED_SIZE, true],
      ];
      for (const [chunk, poll] of runs) {
        const polled = poll ? ', polled' : '';
        // Seeded afresh: a store a move has emptied is not the store a move starts on.
        await page.evaluate(
          async ({ links, name }) => {
            await new Promise((r) => (indexedDB.deleteDatabase(name).onsuccess = r));
            await window.BacklinkMove.seedOldLayout(links, name);
          },
          { links, name: NAME },
        );
        const code = await page.evaluate(
          (a) => window.BacklinkMove.moveHere(a.name, a.chunk, a.poll),
          { name: NAME, chunk, poll },
        );
        rows.push(row(`the extension's move, ${chunk}${polled}`, links, chunk, code));
        const raw = await page.evaluate(
          (a) => window.BacklinkMove.rawMoveChunks(a.links, a.chunk, a.name, a.poll),
          { links, name: NAME, chunk, poll },
        );
        rows.push(row(`raw move, ${chunk}${polled}`, links, chunk, raw));
        info(`${n} links, ${chunk} per chunk${polled}: done`);
      }
      const baseline = rows.find((r) => r.name === `raw move, ${POLLED_SIZE}`)!;
      printTable(rows, baseline, { extraHeader: `${n} links: chunks; per link; polls` });
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
