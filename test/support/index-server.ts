import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CANONICAL_VERSION,
  hashKey,
  PROTOCOL_VERSION,
  type IndexEntry,
  type IndexInfo,
  type IndexLink,
  type LookupKind,
} from '../../src/core/index-protocol';

/**
 * How the test index misbehaves: 'ok' follows the protocol; the others are the failures the
 * client must survive (docs/index-protocol.md, issue 8 section 4).
 */
export type IndexMode =
  | 'ok'
  | 'slow'
  | 'garbage'
  | 'huge'
  | 'huge-declared'
  | 'javascript-url'
  | 'wrong-hash'
  | 'busy'
  | 'server-error';

export interface IndexedKey {
  kind: LookupKind;
  key: string;
  links: IndexLink[];
  authority?: number;
}

export interface TestIndexServer {
  url: string;
  mode: IndexMode;
  /** Entries per lookup page (a small one makes the client follow `next`). */
  pageSize: number;
  /** Token the server wants ('' for none). */
  token: string;
  /** Every request's path, and its Authorization header. */
  requests: Array<{ path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

/**
 * A small index server that speaks protocol v1 on 127.0.0.1, from a list of keys held in
 * memory: answers buckets by prefix, pages them, and can be told to misbehave. For the
 * client's unit tests, where each failure has to be produced on demand.
 */
export async function startTestIndex(
  keys: readonly IndexedKey[],
  info: Partial<IndexInfo> = {},
): Promise<TestIndexServer> {
  const entries = await Promise.all(
    keys.map(async (k) => ({
      kind: k.kind,
      entry: {
        hash: await hashKey(k.key),
        key: k.key,
        summary: {
          backlinks: k.links.filter((l) => !l.lost).length,
          referringDomains: new Set(k.links.map((l) => new URL(l.source).hostname)).size,
          referringPages: new Set(k.links.map((l) => l.source)).size,
          ...(k.authority !== undefined ? { authority: k.authority } : {}),
        },
        links: k.links,
      } satisfies IndexEntry,
    })),
  );
  const fullInfo: IndexInfo = {
    name: 'Test index',
    protocolVersion: PROTOCOL_VERSION,
    canonicalVersion: CANONICAL_VERSION,
    keys: {
      urls: entries.filter((e) => e.kind === 'url').length,
      domains: entries.filter((e) => e.kind === 'domain').length,
    },
    links: keys.reduce((n, k) => n + k.links.length, 0),
    minPrefixLength: 1,
    maxPrefixLength: 16,
    updatedAt: new Date().toISOString(),
    contributions: false,
    limits: { maxLinksPerEntry: 500, maxEntries: 500, maxBodyBytes: 1_000_000, ratePerMinute: 600 },
    ...info,
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    json(res, status, { error: { code, message } });

  const state: TestIndexServer = {
    url: '',
    mode: 'ok',
    pageSize: 100,
    token: '',
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // For tests run under happy-dom, whose fetch applies CORS (the extension's does not: it
    // holds a host permission for the index's origin).
    res.setHeader('access-control-allow-origin', '*');
    const url = new URL(req.url ?? '/', 'http://index');
    state.requests.push({
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
    });
    if (state.token && req.headers.authorization !== `Bearer ${state.token}`) {
      return error(res, 401, 'unauthorized', 'A valid token is needed');
    }
    switch (state.mode) {
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        break;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('<html>not json</html>');
      case 'busy':
        res.writeHead(429, { 'retry-after': '30', 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down' } }),
        );
      case 'server-error':
        return error(res, 503, 'unavailable', 'The database is down');
      case 'huge':
      case 'huge-declared':
        return streamHuge(res, state.mode === 'huge-declared');
    }
    if (url.pathname === '/v1/info') return json(res, 200, fullInfo);
    if (url.pathname !== '/v1/lookup') return error(res, 404, 'not_found', 'No such endpoint');
    const kind = url.searchParams.get('kind');
    const prefix = url.searchParams.get('prefix') ?? '';
    if (!/^[0-9a-f]+$/.test(prefix)) return error(res, 400, 'bad_prefix', 'Bad prefix');
    const bucket = entries
      .filter((e) => e.kind === kind && e.entry.hash.startsWith(prefix))
      .map((e) => e.entry)
      .sort((a, b) => a.hash.localeCompare(b.hash));
    const from = Number(url.searchParams.get('cursor') ?? 0);
    const page = bucket.slice(from, from + state.pageSize).map((e) => hostile(e, state.mode));
    const next = from + state.pageSize < bucket.length ? String(from + state.pageSize) : undefined;
    return json(res, 200, { kind, prefix, entries: page, ...(next ? { next } : {}) });
  }

  const server: Server = createServer((req, res) => {
    answer(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** The entry as a hostile server would send it. */
function hostile(entry: IndexEntry, mode: IndexMode): IndexEntry {
  if (mode === 'javascript-url') {
    return {
      ...entry,
      links: entry.links.map((l) => ({ ...l, source: 'javascript:alert(document.domain)' })),
    };
  }
  // A hash outside the bucket: an entry the client did not ask for.
  if (mode === 'wrong-hash') return { ...entry, hash: 'f'.repeat(64) };
  return entry;
}

/** Five megabytes of a JSON string, with or without the size declared up front. */
function streamHuge(res: ServerResponse, declared: boolean): void {
  const chunk = 'x'.repeat(64 * 1024);
  const chunks = 80;
  res.writeHead(200, {
    'content-type': 'application/json',
    ...(declared ? { 'content-length': String(chunks * chunk.length + 2) } : {}),
  });
  res.write('"');
  let sent = 0;
  const more = () => {
    while (sent < chunks) {
      sent++;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end('"');
  };
  res.on('error', () => undefined);
  more();
}
