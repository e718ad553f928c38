import { signal } from '@preact/signals';
import type { LinkRecord } from '../core/types';
import {
  likelyTrafficSenders,
  summarizeReferrals,
  type Arrival,
  type ReferralView,
  type TrafficSender,
} from '../core/referrals';
import { linkIntersect, siteOutreach, type OutreachDomain } from '../core/outreach';
import { MAX_RELATED_PAGES, withRelatedPage } from '../core/settings';
import { canonicalizeUrl } from '../core/url';
import { t } from '../core/i18n';
import { loadBacklinks, type BacklinkReport } from '../storage/queries';
import { loadReferralsInto } from '../storage/referrals';
import type { BacklinkDb } from '../storage/db';
import { updateSettings } from '../platform/settings-store';
import { loadArrival } from '../platform/arrivals-store';

/** Referral hints of the report: what the list, the popup and the report page show. */
export interface OutreachView {
  /** Editorial links on pages the user visits often. */
  senders: TrafficSender[];
  /** Referring domains of the site that do not link to this page. */
  site: OutreachDomain[];
  /** Domains linking to two or more related pages, not to this page. */
  intersect: OutreachDomain[];
  /** The related pages the user marked (all of them, this page included if marked). */
  related: string[];
  /** The page the view is for: marking it is offered. */
  url: string;
}

export interface Notice {
  text: string;
  error?: boolean;
}

/** Visits into the page by following links, per link: loaded after the report. */
export const referralState = signal<ReferralView | null>(null);
/** How the user came to the active tab's page, when by a link (the popup); undefined until read. */
export const arrivalState = signal<Arrival | null | undefined>(undefined);
/** Traffic senders and outreach hints: on the report page only, after the site's links. */
export const outreachState = signal<OutreachView | null>(null);
/** The outcome of the last marking of a related page. */
export const outreachNotice = signal<Notice | null>(null);

/** Visits into the report's page (any alias), credited to its links (for referralState). */
export async function loadReferrals(db: BacklinkDb, report: BacklinkReport): Promise<ReferralView> {
  const visits = await loadReferralsInto(db, report.aliases);
  return summarizeReferrals(visits, report.links);
}

/** The popup's "you came here from": the tab's last confirmed referral. */
export async function loadArrivalOf(tabId: number | undefined): Promise<void> {
  // A hint: if it cannot be read, the popup is the same without it.
  arrivalState.value = tabId === undefined ? null : await loadArrival(tabId).catch(() => null);
}

let wanted = false;
let last: {
  db: BacklinkDb;
  report: BacklinkReport;
  site: SiteLinks | null;
  isCurrent: () => boolean;
} | null = null;
type SiteLinks = { domain: string; links: LinkRecord[] };

/** The report page asks for outreach hints; the popup does not (they cost a read per page). */
export function wantOutreach(): void {
  wanted = true;
}

/** Whether this screen shows outreach hints (they need the site's links). */
export const outreachWanted = (): boolean => wanted;

/**
 * Traffic senders and outreach hints for the report's page, from its links, the links into
 * its site (loadSiteLinks) and the links to each related page the user marked (`related`,
 * from the settings the report's load read).
 */
export async function loadOutreach(
  db: BacklinkDb,
  report: BacklinkReport,
  site: SiteLinks | null,
  related: readonly string[],
  isCurrent: () => boolean = () => true,
): Promise<void> {
  if (!wanted) return;
  last = { db, report, site, isCurrent };
  await readOutreach(db, report, site, related, isCurrent);
}

async function readOutreach(
  db: BacklinkDb,
  report: BacklinkReport,
  site: SiteLinks | null,
  related: readonly string[],
  isCurrent: () => boolean,
): Promise<void> {
  const others = related.filter((u) => !report.aliases.includes(u));
  const relatedLinks = await Promise.all(
    others.map(async (url) => {
      const r = await loadBacklinks(db, url);
      const domain = r?.page?.domain ?? r?.links.find((l) => l.target === url)?.targetDomain;
      return { url, domain: domain ?? null, links: r?.links ?? [] };
    }),
  );
  const domain = site?.domain ?? report.page?.domain ?? null;
  // A newer load of the report (fold, unfold) began meanwhile: its hints are the ones to show.
  if (!isCurrent()) return;
  outreachState.value = {
    senders: likelyTrafficSenders(report.links, report.sources, referralState.value),
    site: site ? siteOutreach(site.domain, site.links, report.links) : [],
    intersect: linkIntersect(domain, relatedLinks, report.links),
    related: [...related],
    url: report.url,
  };
}

/**
 * Mark a page as related or a competitor (on), or unmark it, in settings; then show the hints
 * again. Ends in a notice either way.
 */
export async function markRelated(input: string, on: boolean): Promise<void> {
  try {
    const typed = input.trim();
    // Nothing typed read as "“” is not a web address": ask for one, as the settings do.
    if (!typed) throw new Error(t('related_missing'));
    const url = canonicalizeUrl(typed);
    if (!url) throw new Error(t('related_invalid', { input }));
    const saved = await updateSettings((s) => {
      if (on && !s.relatedPages.includes(url) && s.relatedPages.length >= MAX_RELATED_PAGES) {
        throw new Error(t('related_limit', { max: MAX_RELATED_PAGES }));
      }
      return { ...s, relatedPages: withRelatedPage(s.relatedPages, url, on) ?? s.relatedPages };
    });
    if (last) {
      await readOutreach(last.db, last.report, last.site, saved.relatedPages, last.isCurrent);
    }
    outreachNotice.value = {
      text: on ? t('related_marked', { url }) : t('related_removed', { url }),
    };
  } catch (error) {
    outreachNotice.value = {
      text: error instanceof Error ? error.message : String(error),
      error: true,
    };
  }
}
