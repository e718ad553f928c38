import type { RecordReply } from './messages';

/**
 * Delivery of a page's messages to the worker, which an MV3 browser stops when idle and which
 * may die with its process: a message can get no answer. It is resent on a bounded schedule,
 * and a snapshot carries a visit id so that the worker stores a second delivery only once.
 */

/**
 * Waits before each resend, doubling: a stopped worker starts in well under a second, a killed
 * process or a busy machine takes longer, and a worker stopped again while restarting needs
 * another try soon after. Seven tries over 30.75 s, then the sender gives up.
 */
export const RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000, 15000];

/** What to do after one try: wait and resend, or stop with the answer (null: none came). */
export type NextStep = { retryInMs: number } | { answer: RecordReply | null };

/**
 * The worker's reply as sent, or null for no answer to act on: nothing (the polyfill resolves
 * undefined when the worker died before replying), something that is not a reply, or a failed
 * write (reason 'error'), which the worker logged and a resend may get past.
 */
export function answerOf(value: unknown): RecordReply | null {
  if (typeof value !== 'object' || value === null) return null;
  const reply = value as Partial<Record<'recorded' | 'reason', unknown>>;
  if (reply.recorded === true) return value as RecordReply;
  if (reply.recorded !== false || typeof reply.reason !== 'string') return null;
  return reply.reason === 'error' ? null : (value as RecordReply);
}

/**
 * After try number `tries` (0 for the first) got `reply` (`undefined` when sending threw):
 * an answer ends it, refusals included (a paused or excluded page stays so); no answer is
 * retried after the next delay of the schedule, until it runs out.
 */
export function nextStep(
  reply: unknown,
  tries: number,
  delays: readonly number[] = RETRY_DELAYS_MS,
): NextStep {
  const answer = answerOf(reply);
  if (answer) return { answer };
  const delay = delays[tries];
  return delay === undefined ? { answer: null } : { retryInMs: delay };
}

/** Longest visit id the worker keeps: ids come from content scripts, untrusted. */
export const MAX_VISIT_ID = 32;

/** A visit id from a message: a short string, or null (dropped, not cut: a cut id is another id). */
export function parseVisitId(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_VISIT_ID
    ? value
    : null;
}

/**
 * A new random id for one visit of a page. crypto.randomUUID is missing on plain http pages
 * (it needs a secure context); getRandomValues is not.
 */
export function newVisitId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Visit ids a page record remembers: enough for every tab that may retry the same page. */
export const REMEMBERED_VISITS = 8;

/**
 * A page's remembered visit ids after a visit with `id`, newest last: a snapshot whose id is
 * among them was stored already.
 */
export function rememberVisit(known: readonly string[] | undefined, id: string): string[] {
  return [...(known ?? []).filter((k) => k !== id), id].slice(-REMEMBERED_VISITS);
}
