// Bundled into one IIFE (global BacklinkRows, or BacklinkRowsBefore with the other tree's
// sources) and run in the built extension's report page: the report table's render alone.
import { render } from 'preact';
import { LinkTable } from '../../src/ui/components/LinkTable';
import { DEFAULT_TABLE_VIEW, tableRowsOf } from '../../src/core/table';
import type { BacklinkView } from '../../src/core/summary';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** `n` links as the hot target's report holds them: 5 linking pages a domain. */
function links(n: number): BacklinkView[] {
  return Array.from({ length: n }, (_, i) => {
    const domain = `source${Math.floor(i / 5)}.com`;
    const link: BacklinkView = {
      source: `https://www.${domain}/posts/${i}`,
      sourceTitle: `Post ${i} on source ${Math.floor(i / 5)}`,
      target: 'https://www.hot-target.com/the-definitive-guide',
      anchor: `guide ${i % 1000}`,
      rel: i % 10 === 0 ? ['nofollow'] : [],
      region: 'main',
      regions: ['main'],
      rels: i % 10 === 0 ? ['nofollow'] : [],
      occurrences: 1,
      sourceDomain: domain,
      targetDomain: 'hot-target.com',
      firstSeen: T0 + (i % 300) * DAY,
      lastSeen: T0 + (i % 300) * DAY + DAY,
      lostAt: i % 11 === 0 ? T0 + 400 * DAY : null,
      unfollowed: i % 10 === 0,
      pageNofollow: false,
      pageNoindex: false,
      via: null,
    };
    return link;
  });
}

/**
 * Milliseconds to render the full table of `n` rows into a new element, one synchronous
 * render (the page's viewport must hold them all: its first screen is rendered at once).
 */
export function renderTable(n: number): number {
  const rows = tableRowsOf(links(n), { score: (l) => (l.anchor.length * 7) % 100 });
  const host = document.createElement('div');
  document.body.append(host);
  const start = performance.now();
  render(
    <LinkTable
      url="https://www.hot-target.com/the-definitive-guide"
      scope="page"
      rows={rows}
      view={DEFAULT_TABLE_VIEW}
      onView={() => {}}
      flagKinds={[]}
      now={Date.now()}
    />,
    host,
  );
  const ms = performance.now() - start;
  render(null, host);
  host.remove();
  return ms;
}
