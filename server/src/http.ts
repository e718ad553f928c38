/**
 * The index's HTTP API (docs/index-protocol.md) on node:http: GET /v1/info, GET /v1/lookup,
 * POST /v1/contribute. Every failure is an HttpError turned into a status and a body
 * `{ error: { code, message } }` in plain words; a database that cannot be reached is a 503.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  CANONICAL_VERSION,
  LOOKUP_KINDS,
  isKeyHash,
  isValidPrefix,
  type IndexErrorCode,
  type IndexInfo,
  type LookupKind,
} from '../../src/core/index-protocol';
import { ImportError } from '../../src/core/transfer';
import { contribute } from './contribute';
import { isUnavailable, type Db } from './db';
import type { ServerConfig } from './config';
import { describeIndex, lookupBucket, readFigures, type IndexFigures } from './lookup';
import { RateLimiter } from './rate-limit';

export type IndexServerOptions = Pick<
  ServerConfig,
  'name' | 'minPrefixLength' | 'maxPrefixLength' | 'tokens' | 'limits'
> & {
  db: Db;
  /** How long the index's counts are reused before counting again (they cost a scan). */
  figuresTtlMs?: number;
  /** Where failures the server did not expect are logged once. */
  log?: (message: string, error: unknown) => void;
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: IndexErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { ...JSON_HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Whether `token` is one of `tokens`, comparing digests in constant time, all of them. */
function isKnownToken(token: string, tokens: readonly Buffer[]): boolean {
  const digest = sha256(token);
  let known = false;
  for (const t of tokens) known = timingSafeEqual(digest, t) || known;
  return known;
}

/** The body as text, refused with 413 as soon as it grows past `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () =>
    new HttpError(413, 'too_large', `The body is over this index's limit of ${max} bytes.`);
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function lookupParams(url: URL, min: number, max: number) {
  const kind = url.searchParams.get('kind');
  if (!LOOKUP_KINDS.includes(kind as LookupKind)) {
    throw new HttpError(400, 'bad_request', 'The kind must be "url" or "domain".');
  }
  const cv = url.searchParams.get('cv');
  if (cv !== String(CANONICAL_VERSION)) {
    throw new HttpError(
      400,
      'unsupported_canonical_version',
      `This index keys pages by canonical form ${CANONICAL_VERSION}; the request asked for ${cv === null ? 'none' : JSON.stringify(cv)}.`,
    );
  }
  const prefix = url.searchParams.get('prefix') ?? '';
  if (!isValidPrefix(prefix, min, max)) {
    throw new HttpError(
      400,
      'bad_prefix',
      `The prefix must be ${min} to ${max} lower-case hex characters.`,
    );
  }
  const cursor = url.searchParams.get('cursor') ?? undefined;
  if (cursor !== undefined && !(isKeyHash(cursor) && cursor.startsWith(prefix))) {
    throw new HttpError(
      400,
      'bad_cursor',
      'The cursor is not one this index gave for this prefix.',
    );
  }
  return { kind: kind as LookupKind, prefix, cursor };
}

export function createIndexServer(options: IndexServerOptions): Server {
  const { db, limits } = options;
  const tokens = options.tokens.map(sha256);
  const limiter = new RateLimiter(limits.ratePerMinute);
  const ttl = options.figuresTtlMs ?? 30_000;
  const log =
    options.log ?? ((message, error) => console.error(`Backlink Lens index: ${message}`, error));
  let figures: { value: IndexFigures; at: number } | null = null;

  async function info(): Promise<IndexInfo> {
    if (!figures || Date.now() - figures.at > ttl) {
      figures = { value: await readFigures(db), at: Date.now() };
    }
    return describeIndex(figures.value, { ...options, contributions: tokens.length > 0 });
  }

  async function contributeRoute(req: IncomingMessage) {
    if (tokens.length === 0) {
      throw new HttpError(403, 'contributions_off', 'This index does not take contributions.');
    }
    const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!auth) {
      throw new HttpError(
        401,
        'unauthorized',
        'A contribution needs an "Authorization: Bearer <token>" header.',
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
    if (!isKnownToken(auth[1]!, tokens)) {
      throw new HttpError(403, 'forbidden', 'This token may not contribute to this index.');
    }
    const body = await readBody(req, limits.maxBodyBytes);
    try {
      const result = await contribute(db, body);
      figures = null;
      return result;
    } catch (error) {
      if (error instanceof ImportError) throw new HttpError(400, 'malformed_body', error.message);
      throw error;
    }
  }

  async function route(req: IncomingMessage, url: URL): Promise<unknown> {
    const routes: Record<string, [method: string, run: () => Promise<unknown>]> = {
      '/v1/info': ['GET', info],
      '/v1/lookup': [
        'GET',
        () => {
          const { kind, prefix, cursor } = lookupParams(
            url,
            options.minPrefixLength,
            options.maxPrefixLength,
          );
          return lookupBucket(db, kind, prefix, cursor, limits);
        },
      ],
      '/v1/contribute': ['POST', () => contributeRoute(req)],
    };
    const found = routes[url.pathname];
    if (!found) throw new HttpError(404, 'not_found', `There is nothing at ${url.pathname}.`);
    if (req.method !== found[0]) {
      throw new HttpError(405, 'method_not_allowed', `${url.pathname} takes ${found[0]} only.`, {
        Allow: found[0],
      });
    }
    return found[1]();
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    try {
      const rate = limiter.take(req.socket.remoteAddress ?? 'unknown');
      if (!rate.allowed) {
        throw new HttpError(
          429,
          'rate_limited',
          `Too many requests; try again in ${rate.retryAfter} s.`,
          {
            'Retry-After': String(rate.retryAfter),
          },
        );
      }
      send(res, 200, await route(req, new URL(req.url ?? '/', 'http://index')));
    } catch (error) {
      if (error instanceof HttpError) {
        // A refused upload is not read to its end: the connection closes after the answer.
        const close: Record<string, string> =
          req.method === 'GET' || req.readableEnded ? {} : { Connection: 'close' };
        send(
          res,
          error.status,
          { error: { code: error.code, message: error.message } },
          { ...error.headers, ...close },
        );
      } else if (isUnavailable(error)) {
        send(
          res,
          503,
          {
            error: {
              code: 'unavailable',
              message: 'The index database is not reachable; try again later.',
            },
          },
          { 'Retry-After': '10' },
        );
      } else {
        log(`${req.method} ${req.url} failed`, error);
        send(res, 500, {
          error: {
            code: 'internal',
            message: 'The index failed to answer; the operator has the details.',
          },
        });
      }
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  // Longer than a client's idle reuse (undici keeps sockets 4 s, proxies often 60 s): a socket
  // closed by the server just as the client reuses it fails that request with ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
