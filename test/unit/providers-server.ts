/**
 * A fake provider API on 127.0.0.1 for the provider tests: each request is recorded and
 * answered by the test's responder (a fixture body, an error status, a slow or endless body).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { SourceResult } from '../../src/sources/types';
import {
  ProviderError,
  type ProviderAnswer,
  type ProviderSettings,
} from '../../src/sources/providers/types';

export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Writes the body itself (slow, endless, oversized). */
  write?: (res: ServerResponse) => void;
}

export interface FakeApi {
  origin: string;
  requests: SeenRequest[];
  /** Answer the next requests with `replies` in turn; the last one repeats. */
  reply(...replies: Reply[]): void;
  /** Answer each request by what it asks (requests made side by side arrive in any order). */
  route(pick: (request: SeenRequest) => Reply): void;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const requests: SeenRequest[] = [];
  let replies: Reply[] = [{ status: 404, body: '{}' }];
  let picker: ((request: SeenRequest) => Reply) | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const reply = picker ? picker(seen) : replies.length > 1 ? replies.shift()! : nth(replies);
      if (reply.write) return reply.write(res);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    reply: (...next) => {
      picker = null;
      replies = next;
    },
    route: (pick) => {
      picker = pick;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A router that answers by the request's path (before any query) from `routes`. */
export const byPath =
  (routes: Record<string, Reply>) =>
  (request: SeenRequest): Reply =>
    routes[request.url.split('?')[0] ?? ''] ?? { status: 404, body: '{"error":"no such route"}' };

/** A recorded response body from test/fixtures/providers/. */
export const fixture = (path: string): string =>
  readFileSync(new URL(`../fixtures/providers/${path}`, import.meta.url), 'utf8');

/** The fixture as a reply, with the status the service documents for it. */
export const fixtureReply = (
  path: string,
  status = 200,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers,
  body: fixture(path),
});

/** The clock of the provider tests: 2026-11-26, after every date in the fixtures. */
export const NOW = Date.UTC(2026, 10, 26);

/** Settings that send a provider's requests to the fake API, with the test clock. */
export const settingsFor = (api: FakeApi, key: string, secret?: string): ProviderSettings => ({
  credentials: secret === undefined ? { key } : { key, secret },
  endpoint: api.origin,
  now: () => NOW,
});

/** The ProviderError a promise ends in (the test fails when it resolves). */
export async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof ProviderError)) throw error;
  return error;
}

/** The fake API for one test file: started before, closed after, forgetting between tests. */
export function useFakeApi(): { readonly api: FakeApi } {
  const holder = {} as { api: FakeApi };
  beforeAll(async () => {
    holder.api = await startFakeApi();
  });
  afterAll(() => holder.api.close());
  beforeEach(() => {
    holder.api.requests.length = 0;
  });
  return holder;
}

/** What a source lookup answered, or the test fails with what it said instead. */
export function answered(result: SourceResult): ProviderAnswer {
  if (result.status !== 'answered')
    throw new Error(`expected an answer, got ${JSON.stringify(result)}`);
  return result.answer as ProviderAnswer;
}

/** Item `i` of a list that must have it (a test fails on a missing request or link). */
export function nth<T>(items: readonly T[], i = 0): T {
  const item = items[i];
  if (item === undefined) throw new Error(`expected an item at ${i} of ${items.length}`);
  return item;
}

/** A request path's query parameters, for requests that carry their arguments there. */
export const queryOf = (url: string): Record<string, string> =>
  Object.fromEntries(new URL(url, 'http://fake.invalid').searchParams);
