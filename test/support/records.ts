import type { PageRecord } from '../../src/core/types';
import { registrableDomain } from '../../src/core/domain';

/** A fixed clock for stored records in tests and benchmarks: 2024-01-01. */
export const T0 = Date.UTC(2024, 0, 1);

/** A stored page record for `url`, seen once at T0; fields can be overridden. */
export function pageRecord(url: string, overrides: Partial<PageRecord> = {}): PageRecord {
  const host = new URL(url).hostname;
  return {
    url,
    host,
    domain: registrableDomain(host),
    title: `Title of ${url}`,
    canonical: null,
    lang: 'en',
    robotsNoindex: false,
    robotsNofollow: false,
    firstSeen: T0,
    lastSeen: T0,
    outboundCount: 0,
    truncated: false,
    ...overrides,
  };
}
