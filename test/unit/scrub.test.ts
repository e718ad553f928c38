import { describe, expect, it } from 'vitest';
import { moveOldLinks } from '../../src/storage/link-move';
import { DB_VERSION, openBacklinkDb } from '../../src/storage/db';
import { fixLink, fixPage, fixReferral } from '../../src/storage/scrub';
import type { ReferralVisit } from '../../src/core/referrals';
import { T0, makeLink, makePage, makeRedirect, makeVisit, openLegacyDb } from './helpers';

const A = 'https://a.example/post';
const SESSION = `${A}?sessionid=8f14e45fceea167a5a36dedd4bea2543&page=2`;
const RESET = 'https://a.example/reset-password/8d2f0e6a41b94c3e9a7f';
const SIGNED = 'https://bucket.s3.amazonaws.com/f.pdf?X-Amz-Credential=AKIA&X-Amz-Signature=fe5f';
const NOW = T0 + 1000;

const visit = (overrides: Partial<ReferralVisit> = {}) =>
  makeVisit('https://b.example/', A, T0, overrides);

describe('the fixers', () => {
  it('return the very record when nothing is wrong, so nothing is written', () => {
    const page = makePage(A);
    const link = makeLink(A, 'https://b.example/');
    expect(fixPage(page, NOW)).toBe(page);
    expect(fixLink(link, NOW)).toBe(link);
  });

  it('strip secrets from every URL field and drop records at secret addresses', () => {
    const page = { title: 'Post', canonical: RESET, aliasOf: RESET };
    expect(fixPage(makePage(SESSION, page), NOW)).toEqual(
      makePage(`${A}?page=2`, { title: 'Post', canonical: null }),
    );
    expect(fixPage(makePage(RESET), NOW)).toBeNull();
    expect(fixLink(makeLink(A, SIGNED), NOW)?.target).toBe('https://bucket.s3.amazonaws.com/f.pdf');
    expect(fixReferral(visit({ href: RESET }), NOW)).toBeNull();
  });

  it('drop records with a time no clock could give', () => {
    expect(fixPage(makePage(A, { lastSeen: 1e20 }), NOW)).toBeNull();
    expect(fixLink(makeLink(A, 'https://b.example/', { lostAt: 1e20 }), NOW)).toBeNull();
    expect(fixLink(makeLink(A, 'https://b.example/', { firstSeen: -5 }), NOW)).toBeNull();
    expect(fixReferral(visit({ at: 1e20 }), NOW)).toBeNull();
  });
});

describe('migration to version 5, from a populated version 4 database', () => {
  it('strips or removes what carries a secret or an impossible time, and keeps the rest', async () => {
    const name = `v4-${Math.random()}`;
    const v4 = await openLegacyDb(name, 4);
    const kept = {
      page: makePage(A),
      other: makePage('https://a.example/other'),
      link: makeLink(A, 'https://b.example/'),
      hop: makeRedirect('https://a.example/old', A),
      visit: visit(),
      domainScore: { kind: 'domain', key: 'a.example', score: 0.5, display: 50, computedAt: T0 },
    };
    await v4.put('pages', kept.page);
    await v4.put('pages', kept.other);
    // Moves to its clean address.
    await v4.put('pages', makePage(SESSION, { title: 'session' }));
    // Its clean address is already stored: the stored one stays as it was.
    await v4.put('pages', makePage('https://a.example/other?token=abc', { title: 'dup' }));
    await v4.put('pages', makePage(RESET));
    await v4.put('pages', makePage('https://a.example/far', { lastSeen: 1e20 }));
    await v4.put('links', kept.link);
    await v4.put('links', makeLink(A, SIGNED));
    await v4.put('links', makeLink(A, RESET));
    await v4.put('links', makeLink(RESET, 'https://b.example/'));
    await v4.put('links', makeLink(A, 'https://b.example/late', { lastSeen: 1e20 }));
    await v4.put('redirects', kept.hop);
    await v4.put('redirects', makeRedirect('https://a.example/login?token=abc', A));
    await v4.put('redirects', makeRedirect('https://a.example/forgot', RESET));
    await v4.put('referrals', kept.visit);
    await v4.put('referrals', visit({ at: 1e20 }));
    await v4.put(
      'referrals',
      visit({ source: 'https://b.example/?sid=0123456789abcdef', at: T0 + 1 }),
    );
    await v4.put('authority', kept.domainScore);
    await v4.put('authority', { ...kept.domainScore, kind: 'page', key: RESET });
    v4.close();

    const db = await openBacklinkDb(name);
    await moveOldLinks(db); // the worker's move (storage/link-move.ts), done
    expect(db.version).toBe(DB_VERSION);
    const pages = await db.getAll('pages');
    expect(pages).toEqual(
      [kept.page, kept.other, makePage(`${A}?page=2`, { title: 'session' })].sort((x, y) =>
        x.url < y.url ? -1 : 1,
      ),
    );
    expect(await db.getAll('links')).toEqual([
      kept.link,
      makeLink(A, 'https://bucket.s3.amazonaws.com/f.pdf', { anchor: `to ${SIGNED}` }),
    ]);
    expect(await db.getAll('redirects')).toEqual([
      makeRedirect('https://a.example/login', A),
      kept.hop,
    ]);
    expect(await db.getAll('referrals')).toEqual([
      kept.visit,
      visit({ source: 'https://b.example/', at: T0 + 1 }),
    ]);
    expect(await db.getAll('authority')).toEqual([kept.domainScore]);
    db.close();
  });
});
