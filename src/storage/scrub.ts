import type { StoreKey, StoreNames, StoreValue } from 'idb';
import type { AuthorityRecord, LinkRecord, PageRecord, RedirectRecord } from '../core/types';
import type { ReferralVisit } from '../core/referrals';
import { isPlausibleTime } from '../core/limits';
import { canonicalizeUrl } from '../core/url';
import type { BacklinkSchema, UpgradeTx } from './db';

/**
 * Stored records held to today's rules (migration v5): URLs re-canonicalized, so secret
 * parameters (core/secrets.ts) are stripped and secret addresses removed, and times no clock
 * could give (an import of 1e20 before times were bounded) removed. Each fixer returns the
 * record as it should be, the same object when it is fine, or null when it must go.
 */
type Fixer<T> = (record: T, now: number) => T | null;

const times = (now: number, ...ts: (number | null | undefined)[]) =>
  ts.every((t) => t === null || t === undefined || isPlausibleTime(t, now));

export const fixPage: Fixer<PageRecord> = (page, now) => {
  const url = canonicalizeUrl(page.url);
  if (!url || !times(now, page.firstSeen, page.lastSeen)) return null;
  const canonical = page.canonical === null ? null : canonicalizeUrl(page.canonical);
  const aliasOf = page.aliasOf === undefined ? undefined : canonicalizeUrl(page.aliasOf);
  if (url === page.url && canonical === page.canonical && aliasOf === page.aliasOf) return page;
  const { aliasOf: _old, ...rest } = page;
  return { ...rest, url, canonical, ...(aliasOf ? { aliasOf } : {}) };
};

export const fixLink: Fixer<LinkRecord> = (link, now) => {
  const source = canonicalizeUrl(link.source);
  const target = canonicalizeUrl(link.target);
  if (!source || !target || !times(now, link.firstSeen, link.lastSeen, link.lostAt)) return null;
  return source === link.source && target === link.target ? link : { ...link, source, target };
};

export const fixRedirect: Fixer<RedirectRecord> = (hop, now) => {
  const from = canonicalizeUrl(hop.from);
  const to = canonicalizeUrl(hop.to);
  if (!from || !to || from === to || !times(now, hop.firstSeen, hop.lastSeen)) return null;
  return from === hop.from && to === hop.to ? hop : { ...hop, from, to };
};

export const fixReferral: Fixer<ReferralVisit> = (visit, now) => {
  const source = canonicalizeUrl(visit.source);
  const target = canonicalizeUrl(visit.target);
  const href = canonicalizeUrl(visit.href);
  if (!source || !target || !href || source === target || !times(now, visit.at)) return null;
  return source === visit.source && target === visit.target && href === visit.href
    ? visit
    : { ...visit, source, target, href };
};

/** A page's score under an address that changed is dropped: the next computation redoes it. */
export const fixAuthority: Fixer<AuthorityRecord> = (record) =>
  record.kind !== 'page' || canonicalizeUrl(record.key) === record.key ? record : null;

/**
 * Walk a store and apply `fix`. A record whose key changes moves to the new key, unless a
 * record is already there: that one was stored without the secret and is the same page or
 * link, so it is kept as it is. Returns how many records were rewritten or removed.
 */
export async function scrubStore<S extends StoreNames<BacklinkSchema>>(
  tx: UpgradeTx,
  name: S,
  fix: Fixer<StoreValue<BacklinkSchema, S>>,
  now: number,
): Promise<number> {
  const store = tx.objectStore(name);
  let changed = 0;
  let cursor = await store.openCursor();
  while (cursor) {
    const record = cursor.value;
    const fixed = fix(record, now);
    if (fixed !== record) {
      changed++;
      const key = fixed === null ? null : keyOf(store.keyPath, fixed);
      if (fixed !== null && key !== null && indexedDB.cmp(key, cursor.primaryKey) === 0) {
        void cursor.update(fixed);
      } else {
        void cursor.delete();
        if (
          fixed !== null &&
          key !== null &&
          (await store.count(key as StoreKey<BacklinkSchema, S>)) === 0
        )
          void store.put(fixed);
      }
    }
    cursor = await cursor.continue();
  }
  return changed;
}

function keyOf(keyPath: string | string[] | null, record: unknown): IDBValidKey | null {
  if (keyPath === null) return null;
  const fields = record as Record<string, IDBValidKey>;
  return typeof keyPath === 'string' ? fields[keyPath]! : keyPath.map((k) => fields[k]!);
}
