/**
 * Benchmark: canonicalizeUrl (core/url.ts) with the secrets list (core/secrets.ts), for every
 * href of a recorded page. Baseline: the browser's own parse and serialization of the same
 * hrefs (`new URL(href).href`), the least any canonical form costs. Hrefs are a mix of plain
 * paths, tracking parameters, signed-URL and session parameters, and one-time paths.
 *
 * Direct entry: `npx tsx test/bench/canonicalize.ts`.
 */
import { pathToFileURL } from 'node:url';
import { canonicalizeUrl } from '../../src/core/url';
import {
  check,
  collectInterleaved,
  heading,
  info,
  pick,
  printTable,
  seededRandom,
} from './measure';

const HREFS = 20_000;

function hrefs(): string[] {
  const random = seededRandom(7);
  const word = () => pick(random, ['guide', 'news', 'coffee', 'item', 'blog', 'reset', 'verify']);
  const hex = () => Math.floor(random() * 2 ** 52).toString(16);
  const shapes: Array<() => string> = [
    () => `https://site${Math.floor(random() * 500)}.com/${word()}/${word()}-${word()}`,
    () => `https://shop.com/p/${hex()}?utm_source=x&utm_medium=y&color=red&page=2`,
    () => `https://forum.com/view.php?t=${hex()}&sid=${hex()}${hex()}`,
    () =>
      `https://bucket.s3.amazonaws.com/${word()}.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
      `&X-Amz-Credential=AKIA${hex()}&X-Amz-Date=20240101T000000Z&X-Amz-Signature=${hex()}${hex()}`,
    () => `https://app.com/reset-password/${hex()}${hex()}`,
    () => `https://search.com/?q=${word()}+${word()}&key=value`,
  ];
  return Array.from({ length: HREFS }, () => pick(random, shapes)());
}

export async function runCanonicalize(): Promise<void> {
  heading(
    'Canonicalization with the secrets list',
    `${HREFS.toLocaleString('en')} hrefs; baseline: new URL(href).href of the same hrefs.`,
  );
  const input = hrefs();
  const time = (fn: (href: string) => unknown) => () => {
    const start = performance.now();
    for (const href of input) fn(href);
    return performance.now() - start;
  };
  const rows = await collectInterleaved(
    [
      { name: 'new URL(href).href', sample: time((h) => new URL(h).href) },
      { name: 'canonicalizeUrl', sample: time(canonicalizeUrl) },
    ],
    { warmup: 3, reps: 11 },
  );
  printTable(rows, rows[0]!);
  const out = input.map((h) => canonicalizeUrl(h));
  const dropped = out.filter((u) => u === null).length;
  info(`${dropped.toLocaleString('en')} one-time addresses not recorded`);
  check(
    'no secret parameter left in a canonical URL',
    out.every((u) => u === null || !/[?&](sid|X-Amz-[^=]*)=/i.test(u)),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runCanonicalize();
