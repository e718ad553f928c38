import { describe, expect, it } from 'vitest';
import {
  answerOf,
  MAX_VISIT_ID,
  newVisitId,
  nextStep,
  parseVisitId,
  rememberVisit,
  REMEMBERED_VISITS,
  RETRY_DELAYS_MS,
} from '../../src/core/delivery';
import type { RecordReply } from '../../src/core/messages';

const recorded: RecordReply = {
  recorded: true,
  url: 'https://a.com/',
  links: 1,
  added: 1,
  lost: 0,
};

/** The waits a message that never gets an answer goes through, and how it ends. */
function schedule(reply: unknown): { waits: number[]; answer: RecordReply | null } {
  const waits: number[] = [];
  for (let tries = 0; ; tries++) {
    const step = nextStep(reply, tries);
    if ('answer' in step) return { waits, answer: step.answer };
    waits.push(step.retryInMs);
  }
}

describe('nextStep', () => {
  it('resends a message that got no answer seven times, waiting longer each time', () => {
    // undefined: sending threw, or the polyfill resolved nothing (the worker died mid-reply).
    expect(schedule(undefined)).toEqual({
      waits: [250, 500, 1000, 2000, 4000, 8000, 15000],
      answer: null,
    });
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b)).toBe(30_750);
  });

  it('resends after a failed write in the worker, which a restart may get past', () => {
    expect(schedule({ recorded: false, reason: 'error' })).toEqual({
      waits: [250, 500, 1000, 2000, 4000, 8000, 15000],
      answer: null,
    });
  });

  it('ends at once with an answer: recorded, or refused', () => {
    expect(schedule(recorded)).toEqual({ waits: [], answer: recorded });
    for (const reason of ['paused', 'excluded', 'stale', 'no-visit', 'malformed']) {
      expect(schedule({ recorded: false, reason })).toEqual({
        waits: [],
        answer: { recorded: false, reason },
      });
    }
  });

  it('takes an answer on the last try, and its own schedule when given one', () => {
    expect(nextStep(recorded, 4)).toEqual({ answer: recorded });
    expect(nextStep(null, 0, [5])).toEqual({ retryInMs: 5 });
    expect(nextStep(null, 1, [5])).toEqual({ answer: null });
    expect(nextStep(null, 0, [])).toEqual({ answer: null });
  });
});

describe('answerOf', () => {
  it('is null for what is not a reply', () => {
    for (const value of [
      undefined,
      null,
      'ok',
      1,
      [],
      {},
      { recorded: 'yes' },
      { recorded: false },
    ]) {
      expect(answerOf(value)).toBeNull();
    }
  });
});

describe('visit ids', () => {
  it('are new for every visit and within the bound the worker keeps', () => {
    const ids = new Set(Array.from({ length: 100 }, newVisitId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(parseVisitId(id)).toBe(id);
  });

  it('are dropped from a message when missing, empty, too long or not strings', () => {
    expect(parseVisitId('a'.repeat(MAX_VISIT_ID))).toBe('a'.repeat(MAX_VISIT_ID));
    for (const value of [undefined, '', 'a'.repeat(MAX_VISIT_ID + 1), 42, {}]) {
      expect(parseVisitId(value)).toBeNull();
    }
  });

  it('a page remembers its latest visits, newest last, a repeated one moved to the end', () => {
    expect(rememberVisit(undefined, 'a')).toEqual(['a']);
    expect(rememberVisit(['a', 'b'], 'a')).toEqual(['b', 'a']);
    const many = Array.from({ length: REMEMBERED_VISITS }, (_, i) => `v${i}`);
    expect(rememberVisit(many, 'new')).toEqual([...many.slice(1), 'new']);
  });
});
