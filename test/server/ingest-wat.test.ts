import { createReadStream, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_ANCHOR_LENGTH } from '../../src/core/limits';
import {
  isSkipped,
  type IndexedLink,
  type IndexedPage,
  type IngestItem,
} from '../../server/src/model';
import { readWat, relTokensOf, saysNofollow, type WatSkip } from '../../server/src/ingest/wat';
import { readWarc, type WarcRecord, type WarcSkip } from '../../server/src/ingest/warc';
import { SAMPLE, SAMPLE_PATH, buildSample, type SamplePage } from '../fixtures/wat/make-sample';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** What the sample declares a kept link to be: resolved, words collapsed and cut, rel folded. */
function expectedLinks(page: SamplePage): IndexedLink[] {
  const base = page.base ?? page.uri ?? '';
  const seen = new Set<string>();
  const out: IndexedLink[] = [];
  for (const l of [...page.links, ...(page.headLinks ?? [])]) {
    if (l.drop) continue;
    const url = new URL(l.url, base).href;
    const anchor = (l.text ?? l.title ?? '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, MAX_ANCHOR_LENGTH);
    if (seen.has(`${url} ${anchor}`)) continue;
    seen.add(`${url} ${anchor}`);
    out.push({
      url,
      anchor,
      rel: [...new Set((l.rel ?? '').toLowerCase().split(/\s+/))].filter(Boolean),
    });
  }
  return out;
}

const declaredPages = SAMPLE.filter(
  (r): r is SamplePage => r.kind === 'response' && r.expect === 'page',
);
const declaredSkips = SAMPLE.filter((r) => r.expect !== 'page' && r.expect !== 'nothing').map(
  (r) => r.expect,
);

describe('readWat on the sample WAT file', () => {
  it('is the file the generator builds from the declared records', async () => {
    // Compared record by record, not byte by byte: another zlib may compress differently.
    const records = async (bytes: Buffer) =>
      (await collect(readWarc(chunksOf(bytes, 4096)))).map((r) =>
        'skipped' in r ? r : { headers: [...r.headers], block: r.block.toString('utf8') },
      );
    expect(await records(readFileSync(SAMPLE_PATH))).toEqual(await records(buildSample()));
  });

  it('yields one page per HTML response record, with exactly its declared links', async () => {
    const items = await collect(readWat(createReadStream(SAMPLE_PATH), 'sample.wat.gz'));
    const pages = items.filter((i): i is IndexedPage => !isSkipped(i));
    expect(pages.map((p) => p.url)).toEqual(declaredPages.map((p) => new URL(p.uri ?? '').href));
    for (const [i, declared] of declaredPages.entries()) {
      const page = pages[i]!;
      expect(page.seenAt).toBe(Date.parse(declared.date));
      expect(page.origin).toBe('sample.wat.gz');
      expect(page.links).toEqual(expectedLinks(declared));
      const robots = `${declared.robots ?? ''} ${declared.xRobotsTag?.includes(':') ? '' : (declared.xRobotsTag ?? '')}`;
      expect(page.nofollow ?? false).toBe(/nofollow/i.test(robots));
      expect(page.truncated ?? false).toBe(declared.truncated ?? false);
    }
    // Counted against the declarations: 6 pages, 15 kept links in all.
    expect(pages).toHaveLength(6);
    expect(pages.reduce((n, p) => n + p.links.length, 0)).toBe(
      declaredPages.reduce((n, p) => n + expectedLinks(p).length, 0),
    );
  });

  it('skips every damaged record with its reason, in file order, and reads on after it', async () => {
    const items = await collect(readWat(createReadStream(SAMPLE_PATH)));
    const skips = items.filter((i): i is WatSkip => isSkipped(i)).map((s) => s.skipped);
    expect(skips).toEqual(declaredSkips);
    // The last record follows all the damage and is still read.
    const last = items.at(-1) as IngestItem;
    expect(isSkipped(last) ? null : last.url).toBe('https://linkfarm.test/');
  });

  it('reads the same whatever the chunk boundaries (1 byte, 7 bytes, whole file)', async () => {
    const bytes = readFileSync(SAMPLE_PATH);
    const whole = await collect(readWat(chunksOf(bytes, bytes.length)));
    expect(await collect(readWat(chunksOf(bytes, 7)))).toEqual(whole);
    expect(await collect(readWat(chunksOf(bytes, 1)))).toEqual(whole);
  });
});

const record = (type: string, body: string) =>
  gzipSync(
    Buffer.from(
      `WARC/1.0\r\nWARC-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n\r\n`,
    ),
  );

const typesOf = (items: Array<WarcRecord | WarcSkip>) =>
  items.map((r) => ('skipped' in r ? `skip:${r.skipped}` : r.headers.get('warc-type')));

describe('readWarc', () => {
  it('reports a file cut inside its last member once, after every whole record', async () => {
    const file = Buffer.concat([record('warcinfo', 'a'), record('metadata', '{}')]);
    const cut = file.subarray(0, file.length - 10);
    expect(typesOf(await collect(readWarc(chunksOf(cut, 64))))).toEqual([
      'warcinfo',
      'skip:truncated gzip member',
    ]);
  });

  it('skips bytes between members that are not gzip once, and finds the next member', async () => {
    const file = Buffer.concat([
      record('warcinfo', 'a'),
      Buffer.from('this is not gzip at all'),
      record('metadata', '{"x":1}'),
    ]);
    expect(typesOf(await collect(readWarc(chunksOf(file, 5))))).toEqual([
      'warcinfo',
      'skip:not gzip data',
      'metadata',
    ]);
  });

  it('keeps a record whose Content-Length is too long from swallowing the next one', async () => {
    const long = gzipSync(
      Buffer.from('WARC/1.0\r\nWARC-Type: metadata\r\nContent-Length: 500\r\n\r\n{}\r\n\r\n'),
    );
    const file = Buffer.concat([long, record('response', 'b')]);
    expect(typesOf(await collect(readWarc(chunksOf(file, 1024))))).toEqual([
      'skip:bad WARC record',
      'response',
    ]);
  });

  it('reads a member far larger than one chunk', async () => {
    const big = 'x'.repeat(3_000_000);
    const file = Buffer.concat([record('metadata', big), record('response', 'b')]);
    const items = await collect(readWarc(chunksOf(file, 4096)));
    expect(typesOf(items)).toEqual(['metadata', 'response']);
    expect((items[0] as WarcRecord).block.length).toBe(big.length);
  });
});

describe('WAT link fields', () => {
  it('keeps rel tokens lower-case, once each', () => {
    expect(relTokensOf('NoFollow  UGC nofollow')).toEqual(['nofollow', 'ugc']);
    expect(relTokensOf(undefined)).toEqual([]);
  });

  it('reads nofollow from robots directives, "none" included', () => {
    expect(saysNofollow('noindex,nofollow')).toBe(true);
    expect(saysNofollow('NONE')).toBe(true);
    expect(saysNofollow('noindex, follow')).toBe(false);
  });
});
