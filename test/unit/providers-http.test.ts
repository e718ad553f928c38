import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_RETRIES,
  providerError,
  redact,
  requestJson,
  retryAfterSeconds,
  type HttpOptions,
  type ProviderIdentity,
} from '../../src/sources/providers/http';
import type { ProviderRequest } from '../../src/sources/providers/types';
import { nth, providerFailure, startFakeApi, type FakeApi } from './providers-server';

const KEY = 'sk_live_9f8e7d6c5b4a3928';
const SECRET = 'pa$$word/with+chars';

/** A service that answers errors with a JSON `error` field, as most do. */
const service: ProviderIdentity = {
  name: 'Test Service',
  errorOf: (body, status) => {
    const said = (body as { error?: unknown } | null)?.error;
    return status >= 400 && typeof said === 'string' && /quota/i.test(said)
      ? providerError('quota', 'Test Service', said)
      : null;
  },
};

let api: FakeApi;
const waits: number[] = [];
const options = (overrides: Partial<HttpOptions> = {}): HttpOptions => ({
  secrets: [KEY, SECRET],
  sleep: async (ms) => {
    waits.push(ms);
  },
  ...overrides,
});
const get = (path = '/v1/thing'): ProviderRequest => ({
  url: `${api.origin}${path}?key=${encodeURIComponent(KEY)}`,
  method: 'GET',
  headers: { Authorization: `Bearer ${KEY}` },
});

beforeAll(async () => {
  api = await startFakeApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  waits.length = 0;
});

describe('requestJson', () => {
  it('returns the parsed body and sends no cookies or referrer', async () => {
    api.reply({ body: '{"ok":true,"n":3}' });
    await expect(requestJson(get(), service, options())).resolves.toEqual({ ok: true, n: 3 });
    expect(nth(api.requests, 0).headers.authorization).toBe(`Bearer ${KEY}`);
    expect(nth(api.requests, 0).headers.cookie).toBeUndefined();
    expect(nth(api.requests, 0).headers.referer).toBeUndefined();
  });

  it('gives up after the timeout', async () => {
    api.reply({ write: (res) => setTimeout(() => res.end('{}'), 2_000) });
    const error = await providerFailure(requestJson(get(), service, options({ timeoutMs: 150 })));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('Test Service did not answer in time.');
  });

  it('waits out a 429 for the Retry-After it names, then succeeds', async () => {
    api.reply(
      { status: 429, headers: { 'retry-after': '2' }, body: '{"error":"slow down"}' },
      { body: '{"ok":true}' },
    );
    await expect(requestJson(get(), service, options())).resolves.toEqual({ ok: true });
    expect(api.requests).toHaveLength(2);
    expect(waits).toEqual([2_000]);
  });

  it('stops after a bounded number of 429s and says when to come back', async () => {
    api.reply({ status: 429, headers: { 'retry-after': '3' }, body: '' });
    const error = await providerFailure(requestJson(get(), service, options()));
    expect(error.kind).toBe('rate-limit');
    expect(error.retryAfter).toBe(3);
    expect(error.message).toContain('too many requests');
    expect(api.requests).toHaveLength(MAX_RETRIES + 1);
  });

  it('does not wait for a Retry-After longer than the popup can', async () => {
    api.reply({ status: 429, headers: { 'retry-after': '3600' }, body: '' });
    const error = await providerFailure(requestJson(get(), service, options()));
    expect(error.kind).toBe('rate-limit');
    expect(api.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it.each([
    [401, 'bad-key', 'did not accept the key'],
    [403, 'bad-key', 'did not accept the key'],
    [402, 'quota', 'quota is used up'],
    [500, 'down', 'not answering properly'],
    [503, 'down', 'not answering properly'],
    [400, 'refused', 'refused the request'],
  ])('maps HTTP %i to %s', async (status, kind, words) => {
    api.reply({ status, body: '{"error":"nope"}' });
    const error = await providerFailure(requestJson(get(), service, options()));
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(words);
  });

  it("lets the service's own error body say more than its status", async () => {
    api.reply({ status: 403, body: '{"error":"Monthly quota exhausted"}' });
    const error = await providerFailure(requestJson(get(), service, options()));
    expect(error.kind).toBe('quota');
    expect(error.message).toContain('Monthly quota exhausted');
  });

  it('refuses a body that is not JSON', async () => {
    api.reply({ body: '<html>maintenance</html>' });
    expect((await providerFailure(requestJson(get(), service, options()))).kind).toBe('malformed');
  });

  it('refuses a body over the cap, declared or streamed', async () => {
    api.reply({ body: JSON.stringify({ pad: 'x'.repeat(5_000) }) });
    expect(
      (await providerFailure(requestJson(get(), service, options({ maxBytes: 1_000 })))).kind,
    ).toBe('malformed');
    // No content-length: the cap must hold while reading an endless stream.
    api.reply({
      write: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write('['.repeat(1024)), 1);
        res.on('close', () => clearInterval(timer));
      },
    });
    const error = await providerFailure(
      requestJson(get(), service, options({ maxBytes: 64 * 1024 })),
    );
    expect(error.kind).toBe('malformed');
    expect(error.message).toContain('larger than allowed');
  });

  it('says the service could not be reached, without the URL', async () => {
    const closed = await startFakeApi();
    const url = `${closed.origin}/v1?key=${KEY}`;
    await closed.close();
    const error = await providerFailure(
      requestJson({ url, method: 'GET', headers: {} }, service, options()),
    );
    expect(error.kind).toBe('unreachable');
    expect(error.message).not.toContain('127.0.0.1');
  });

  it('never puts a credential in a message, even when the service echoes it', async () => {
    const basic = btoa(`${KEY}:${SECRET}`);
    const echoes = [
      `{"error":"quota: unknown key ${KEY}"}`,
      `{"error":"quota for ${encodeURIComponent(SECRET)} and ${basic}"}`,
    ];
    for (const body of echoes) {
      api.reply({ status: 403, body });
      const error = await providerFailure(requestJson(get(), service, options()));
      for (const text of [error.message, String(error), JSON.stringify(error), error.stack ?? '']) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(encodeURIComponent(SECRET));
        expect(text).not.toContain(basic);
      }
      expect(error.message).toContain('[key hidden]');
    }
  });
});

describe('helpers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Thu, 26 Nov 2026 12:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('redacts every form and leaves other text alone', () => {
    expect(redact(`a ${KEY} b`, [KEY])).toBe('a [key hidden] b');
    expect(redact('nothing secret here', [KEY, ''])).toBe('nothing secret here');
  });
});
