/**
 * Benchmark: risk flags for a page with 5,000 inbound links, read and computed after the
 * popup's first render (issue 6 budget: scores and flags within 300 ms after it). The baseline
 * is what the popup already does before it renders: loadBacklinks and the summary and profile.
 */
import { loadBacklinks } from '../../src/storage/queries';
import { loadFlags, readFlagInputs } from '../../src/storage/flags';
import { findFlags } from '../../src/core/flags';
import { summarizeBacklinks } from '../../src/core/summary';
import { profileTargetOf, summarizeProfile } from '../../src/core/profile';
import type { LinkRecord } from '../../src/core/types';
import { check, heading, info, measure, printTable, seededRandom, step } from './measure';
import { dropDb, fill, freshDb, linkGraph, linkRecord, T0 } from './fixtures';

const INBOUND = 5_000;
const PER_DOMAIN = 4;
/** Links from each source page to pages of two other referring domains (a web among them). */
const CROSS_PER_PAGE = 2;
const REPEAT = { warmup: 2, reps: 9 };

export async function runFlags(): Promise<void> {
  const graph = linkGraph({
    seed: 60_000,
    sources: INBOUND,
    perDomain: PER_DOMAIN,
    linksPerPage: 10,
    targets: 20_000,
    hotBacklinks: INBOUND,
  });
  const random = seededRandom(60_001);
  const domains = INBOUND / PER_DOMAIN;
  const cross: LinkRecord[] = [];
  for (const page of graph.pages.slice(0, INBOUND)) {
    for (let i = 0; i < CROSS_PER_PAGE; i++) {
      const other = Math.floor(random() * domains);
      const url = `https://www.source${other}.com/posts/${other * PER_DOMAIN}`;
      if (!url.startsWith(`https://www.${page.domain}/`)) cross.push(linkRecord(page, url, random));
    }
  }
  heading(
    'flags',
    `loadFlags for a URL with ${INBOUND.toLocaleString('en')} backlinks from ` +
      `${domains.toLocaleString('en')} domains, in a fake-indexeddb store of ` +
      `${(graph.links.length + cross.length).toLocaleString('en')} links (${cross.length.toLocaleString('en')} between the referring domains),\n` +
      'vs what the popup does before its first render (loadBacklinks, summary and profile).',
  );
  const db = await freshDb();
  try {
    await step('fill the store (untimed)', () =>
      fill(db, { pages: graph.pages, links: [...graph.links, ...cross] }),
    );
    const report = (await loadBacklinks(db, graph.hot))!;
    const summary = summarizeBacklinks(report.links, report.sources);
    const target = profileTargetOf(report.url, report.page, summary);
    const now = T0 + 91 * 24 * 60 * 60 * 1000;
    const reads = await readFlagInputs(db, target.domain, report.links, report.sources);
    check(
      'the crossing links are found',
      reads.crossLinks.length > 0,
      `${reads.crossLinks.length} read, complete: ${reads.complete}`,
    );

    const firstRender = await measure(
      'before the first render: loadBacklinks + summary + profile',
      async () => {
        const r = (await loadBacklinks(db, graph.hot))!;
        summarizeProfile(summarizeBacklinks(r.links, r.sources), target, now);
      },
      REPEAT,
    );
    const read = await measure(
      'flags: readFlagInputs (bounded index reads)',
      () => readFlagInputs(db, target.domain, report.links, report.sources),
      REPEAT,
    );
    const compute = await measure(
      'flags: findFlags (pure)',
      () => findFlags({ target, links: report.links, sources: report.sources, now, ...reads }),
      REPEAT,
    );
    const total = await measure(
      'flags: loadFlags (both)',
      () => loadFlags(db, target, report.links, report.sources, undefined, now),
      REPEAT,
    );
    printTable([firstRender, read, compute, total], firstRender);
    const flags = findFlags({
      target,
      links: report.links,
      sources: report.sources,
      now,
      ...reads,
    });
    info(
      `${flags.flags.length} flags (${flags.risks} risks): ` +
        [...new Set(flags.flags.map((f) => f.kind))].join(', '),
    );
  } finally {
    await dropDb(db);
  }
}
