/**
 * A fake provider API on 127.0.0.1 for the provider tests: each request is recorded and
 * answered by the test's responder (a fixture body, an error status, a slow or endless body).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const requests: SeenRequest[] = [];
  let replies: Reply[] = [{ status: 404, body: '{}' }];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = replies.length > 1 ? replies.shift()! : replies[0];
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
      replies = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

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
