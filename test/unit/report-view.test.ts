import { describe, expect, it } from 'vitest';
import { parseReportView, reportViewQuery } from '../../src/core/report-view';
import { DEFAULT_TABLE_VIEW } from '../../src/core/table';

const TARGET = 'https://example.com/page';
const target = encodeURIComponent(TARGET);
/** The address a report page opened at `search` writes back as it loads. */
const written = (search: string) => reportViewQuery(parseReportView(new URLSearchParams(search)));

describe("the report page's address", () => {
  it('keeps the target and what the page shows, and drops what it does not know', () => {
    expect(written(`?url=${target}&foo=bar&utm_source=x`)).toBe(`?url=${target}`);
    expect(written(`?url=${target}&scope=site&list=domains&region=main&sort=domain&dir=asc`)).toBe(
      `?url=${target}&scope=site&list=domains&region=main&sort=domain&dir=asc`,
    );
  });

  it('says the default an invalid value got, by leaving it out', () => {
    expect(written(`?url=${target}&sort=bogus&scope=nope&list=grid&rel=x&min=abc`)).toBe(
      `?url=${target}`,
    );
    // A valid direction stays with the default order it now applies to; a bound is clamped.
    expect(written(`?url=${target}&sort=bogus&dir=asc&min=250`)).toBe(
      `?url=${target}&min=100&sort=score&dir=asc`,
    );
    // A direction without an order asks for nothing.
    expect(written(`?url=${target}&dir=asc`)).toBe(`?url=${target}`);
  });

  it('names the page by its shareable form, without a session id, in a fixed order', () => {
    const view = parseReportView(
      new URLSearchParams([
        ['region', 'nav'],
        ['url', 'https://example.com/page?sessionid=abc123'],
      ]),
    );
    expect(view).toEqual({
      url: TARGET,
      scope: 'page',
      list: 'table',
      table: { ...DEFAULT_TABLE_VIEW, region: 'nav' },
    });
    expect(reportViewQuery(view)).toBe(`?url=${target}&region=nav`);
  });

  it('round-trips every view it writes', () => {
    const search = `?url=${target}&scope=site&list=domains&domain=news&q=coffee&status=new&sort=firstSeen&dir=asc`;
    expect(written(search)).toBe(search);
    expect(written(written(search))).toBe(search);
  });
});
