/** The text of an export file (src/core/transfer.ts format) with these rows, for tests and benchmarks. */
import { EXPORT_FORMAT, EXPORT_VERSION } from '../../src/core/transfer';
import { T0 } from './records';

export const exportText = (
  pages: unknown[],
  links: unknown[],
  extra: Record<string, unknown> = {},
): string =>
  JSON.stringify({
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(T0).toISOString(),
    pages,
    links,
    redirects: [],
    referrals: [],
    ...extra,
  });
