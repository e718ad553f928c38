/**
 * Hypothesis test (s18 popup30): what a storage.session get of the tab's first view costs in an
 * extension page, by encoding: the 30-group entry as an object, the same entry as one JSON
 * string (parsed after the get), and today's 4-group object. Same browser, turns alternated
 * (order rotated each round), medians printed. Run after a build:
 *   npx tsx test/bench/first-view-encoding.ts
 */
import { launchWithExtension } from '../support/browser';
import { median } from './measure';

const ROUNDS = Number(process.env.ROUNDS ?? 25);

function link(d: number, i: number) {
  const source = `https://www${d}.example-domain-${d}.com/articles/2024/some-long-slug-${d}-${i}`;
  return {
    source,
    target: 'https://hot.example.com/the/hot/page',
    anchor: `An anchor text of a link number ${i} from domain ${d}`,
    rel: [],
    region: 'main',
    regions: ['main'],
    rels: [],
    occurrences: 1,
    sourceDomain: `example-domain-${d}.com`,
    targetDomain: 'example.com',
    firstSeen: 1_700_000_000_000 + d * 1000 + i,
    lastSeen: 1_710_000_000_000 + d * 1000 + i,
    lostAt: null,
    context: `Some words around the link, as the extractor keeps them, number ${i} of ${d}.`,
    sourceTitle: `The title of the linking page ${d}-${i} | Example Domain ${d}`,
    unfollowed: false,
    pageNofollow: false,
    pageNoindex: false,
    via: null,
    outboundCount: 40 + i,
  };
}

function entry(domains: number) {
  const groups = Array.from({ length: domains }, (_, d) => ({
    domain: `example-domain-${d}.com`,
    size: 12,
    internal: false,
    live: 12,
    followed: 12,
    links: Array.from({ length: 5 }, (_, i) => link(d, i)),
  }));
  return {
    v: 1,
    url: 'https://hot.example.com/the/hot/page',
    folds: 'null',
    targets: ['https://hot.example.com/the/hot/page'],
    builtAt: Date.now(),
    state: {
      url: 'https://hot.example.com/the/hot/page',
      page: null,
      summary: {
        live: 360,
        lost: 0,
        referringDomains: 30,
        internal: 0,
        followed: 360,
        viaRedirect: 0,
        relCounts: { nofollow: 0, sponsored: 0, ugc: 0 },
        groups,
      },
      redirect: null,
      variants: [],
      folded: [],
      head: { groups: 30, liveGroups: 30 },
    },
  };
}

async function main() {
  const ext = await launchWithExtension({
    sitePort: 1,
    distDir: process.env.DIST ?? '/tmp/before/dist',
  });
  try {
    const page = await ext.context.newPage();
    await page.goto(ext.extensionUrl('src/ui/options/index.html'));
    const full = entry(30);
    const small = entry(4);
    const kinds = {
      'object 30 groups': full,
      'string 30 groups': JSON.stringify(full),
      'object 4 groups': small,
    } as const;
    await page.evaluate(async (items) => chrome.storage.session.set(items), kinds);
    console.log(
      'bytes:',
      Object.entries(kinds)
        .map(([k, v]) => `${k} ${Buffer.byteLength(JSON.stringify(v))}`)
        .join(', '),
    );
    const names = Object.keys(kinds);
    const times = new Map(names.map((n) => [n, [] as number[]]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < names.length; j++) {
        const name = names[(round + j) % names.length]!;
        // A fresh page each turn: the popup's early script reads once in a new page.
        await page.reload();
        const ms = await page.evaluate(async (key) => {
          const t0 = performance.now();
          const got = (await chrome.storage.session.get(key))[key];
          const value = typeof got === 'string' ? JSON.parse(got) : got;
          if (!value?.state) throw new Error('no entry');
          return performance.now() - t0;
        }, name);
        times.get(name)!.push(ms);
      }
    }
    for (const [n, t] of times) {
      const s = [...t].sort((a, b) => a - b);
      const at = (q: number) => s[Math.floor(q * s.length)]!.toFixed(1);
      console.log(
        `${n}: median ${median(t).toFixed(1)} ms, p25 ${at(0.25)}, p75 ${at(0.75)} (n=${s.length})`,
      );
    }
  } finally {
    await ext.close();
  }
}
void main();
