/**
 * The one way a provider request goes out and comes back: a timeout, a cap on the body read
 * while it streams, 429 with Retry-After waited out a bounded number of times, and every
 * failure turned into a ProviderError worded for a person. Contract:
 * - resolves only with a parsed JSON body that the provider's `errorOf` did not flag;
 * - rejects only with a ProviderError, whose message never contains a credential (every
 *   detail a service sends back passes through `redact` first);
 * - nothing of the browser's identity goes along: no cookies, no referrer, no redirects.
 */
import { ProviderError, type ProviderErrorKind, type ProviderRequest } from './types';
import { readCapped } from '../read-capped';
import { t, type MessageKey } from '../../core/i18n';

/** A lookup that takes longer is given up: the popup has shown local links meanwhile. */
export const PROVIDER_TIMEOUT_MS = 10_000;
/** No documented answer we ask for comes near this (at most a few hundred rows). */
export const MAX_PROVIDER_BYTES = 4 * 1024 * 1024;
/** 429s waited out before giving up with "rate limit". */
export const MAX_RETRIES = 2;
/** A Retry-After longer than this is not waited for: the user is looking at the popup. */
export const MAX_RETRY_WAIT_MS = 30_000;
/** A detail a service sends back is cut to this before it is shown. */
const MAX_DETAIL_LENGTH = 200;

export interface HttpOptions {
  timeoutMs?: number;
  maxBytes?: number;
  maxRetries?: number;
  maxRetryWaitMs?: number;
  /** Credentials to keep out of any message, in every form they could be echoed. */
  secrets: readonly string[];
  /** For tests: how to wait before a retry. */
  sleep?: (ms: number) => Promise<void>;
}

/** How the provider names itself and recognises its own error bodies. */
export interface ProviderIdentity {
  name: string;
  errorOf(body: unknown, status: number): ProviderError | null;
}

/** The message of each kind of failure; each takes the service's {name}. */
const WORDS: Record<ProviderErrorKind, MessageKey> = {
  'bad-key': 'provider_error_bad_key',
  quota: 'provider_error_quota',
  'rate-limit': 'provider_error_rate_limit',
  down: 'provider_error_down',
  timeout: 'provider_error_timeout',
  unreachable: 'provider_error_unreachable',
  malformed: 'provider_error_malformed',
  refused: 'provider_error_refused',
};

/** The ProviderError of `kind`, in plain words, with the service's own detail when it gave one. */
export function providerError(
  kind: ProviderErrorKind,
  name: string,
  detail?: string | null,
  retryAfter?: number,
): ProviderError {
  const said = detail?.trim().slice(0, MAX_DETAIL_LENGTH);
  const message = [
    t(WORDS[kind], { name }),
    said ? t('provider_error_said', { name, said }) : '',
    retryAfter !== undefined ? t('provider_error_wait', { seconds: Math.ceil(retryAfter) }) : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  return new ProviderError(kind, message, retryAfter);
}

/**
 * `text` with every credential replaced, raw and in the forms a request carries it (URL
 * encoding, and Basic auth's base64 of a pair): a service may echo what it was sent.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  const present = secrets.filter((s) => s.length > 0);
  for (const s of present) {
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  for (const a of present) for (const b of present) forms.add(base64Utf8(`${a}:${b}`));
  let out = text;
  const hidden = t('provider_key_hidden');
  // Longest first, so a key inside a longer form is not half replaced.
  for (const form of [...forms].sort((x, y) => y.length - x.length)) {
    if (form.length >= 4) out = out.split(form).join(hidden);
  }
  return out;
}

/** Base64 of the UTF-8 bytes of `text` (btoa alone throws past Latin-1). */
export function base64Utf8(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** Seconds to wait from a Retry-After header: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : undefined;
}

/** Words a service uses when a refusal is about the plan's allowance, not the key. */
const QUOTA_WORDS = /quota|insufficient|units|exhausted|exceeded|balance|funds/i;

/**
 * The kind an HTTP status says. A 400/401/403 whose words (`hint`: the service's message or
 * error family) are about the allowance is "quota": several services refuse a spent plan so.
 */
function kindOfStatus(status: number, hint = ''): ProviderErrorKind {
  if (status === 429) return 'rate-limit';
  if (status >= 500) return 'down';
  if (status === 402 || ([400, 401, 403].includes(status) && QUOTA_WORDS.test(hint)))
    return 'quota';
  if (status === 401 || status === 403) return 'bad-key';
  return 'refused';
}

/** The error an HTTP error status means, with the service's own words as the detail. */
export function statusError(
  status: number,
  name: string,
  detail?: string | null,
  hint: string = detail ?? '',
): ProviderError {
  return providerError(kindOfStatus(status, hint), name, detail);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Send `request` and return its JSON body, or throw a ProviderError (see the contract above). */
export async function requestJson(
  request: ProviderRequest,
  provider: ProviderIdentity,
  options: HttpOptions,
): Promise<unknown> {
  try {
    return await attempt(request, provider, options, 0);
  } catch (error) {
    const failure = asProviderError(error, provider.name);
    // Last line of defence: the words are ours, but a service's detail is in there too.
    return Promise.reject(
      new ProviderError(failure.kind, redact(failure.message, options.secrets), failure.retryAfter),
    );
  }
}

async function attempt(
  request: ProviderRequest,
  provider: ProviderIdentity,
  options: HttpOptions,
  retries: number,
): Promise<unknown> {
  const { name } = provider;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? PROVIDER_TIMEOUT_MS),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      redirect: 'error',
      cache: 'no-store',
    });
  } catch (error) {
    throw asProviderError(error, name);
  }
  if (response.status === 429) {
    const wait = retryAfterSeconds(response.headers.get('retry-after'));
    void response.body?.cancel().catch(() => undefined);
    const waitMs = (wait ?? 1) * 1000;
    if (
      retries < (options.maxRetries ?? MAX_RETRIES) &&
      waitMs <= (options.maxRetryWaitMs ?? MAX_RETRY_WAIT_MS)
    ) {
      await (options.sleep ?? defaultSleep)(waitMs);
      return attempt(request, provider, options, retries + 1);
    }
    throw providerError('rate-limit', name, null, wait);
  }
  let text: string;
  try {
    text = await readCapped(response, options.maxBytes ?? MAX_PROVIDER_BYTES, () =>
      providerError('malformed', name, t('provider_error_too_large')),
    );
  } catch (error) {
    throw asProviderError(error, name);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (!response.ok) throw statusError(response.status, name, `HTTP ${response.status}`);
    throw providerError('malformed', name);
  }
  // A documented error body says more than its status (DataForSEO's 40210 at HTTP 200).
  const said = provider.errorOf(body, response.status);
  if (said) throw said;
  if (!response.ok)
    throw providerError(kindOfStatus(response.status), name, `HTTP ${response.status}`);
  return body;
}

/** Any failure as a ProviderError; a network error's own text is not kept (it may hold the URL). */
function asProviderError(error: unknown, name: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const kind = (error as { name?: unknown } | null)?.name;
  if (kind === 'TimeoutError' || kind === 'AbortError') return providerError('timeout', name);
  return providerError('unreachable', name);
}
