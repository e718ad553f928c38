import { signal } from '@preact/signals';
import {
  summarizeBacklinks,
  summarizeSite,
  type BacklinkSummary,
  type SiteSummary,
} from '../core/summary';
import type { PageRecord } from '../core/types';
import { profileTargetOf, summarizeProfile, type PageProfile } from '../core/profile';
import type { RedirectChain } from '../core/redirects';
import {
  foldChoices,
  withFold,
  type FoldChoice,
  type FoldGroup,
  type VariantCount,
} from '../core/variants';
import {
  loadAuthority,
  loadBacklinks,
  loadSiteLinks,
  type BacklinkReport,
} from '../storage/queries';
import type { AuthorityView } from '../core/authority-view';
import { getDb } from '../platform/db-connection';
import { loadSettings, updateSettings } from '../platform/settings-store';
import { loadOutreach, loadReferrals, referralState } from './referral-model';

export type ReportState =
  | { status: 'loading' }
  | { status: 'unsupported'; url: string }
  | { status: 'error'; message: string }
  | {
      status: 'ready';
      url: string;
      page: PageRecord | null;
      summary: BacklinkSummary;
      /** Figures and charts of the page's backlink profile, as of when the report was read. */
      profile: PageProfile;
      /** Where this URL itself redirects. */
      redirect: RedirectChain | null;
      variants: VariantCount[];
      folded: FoldGroup[];
      /** The fold and unfold buttons to offer. */
      choices: FoldChoice[];
    };

export interface Notice {
  text: string;
  error?: boolean;
}

export const reportState = signal<ReportState>({ status: 'loading' });
/** Links into the page's whole site: loaded after the page's own report, null until then. */
export const siteState = signal<SiteSummary | null>(null);
/** Stored authority of the page, its domain and its sources: loaded after the report. */
export const authorityState = signal<AuthorityView | null>(null);
/** The outcome of the last action the user started in the report (folding variants). */
export const notice = signal<Notice | null>(null);

/** The page's summary, and its profile built from it. */
function summarizeReport(report: BacklinkReport): {
  summary: BacklinkSummary;
  profile: PageProfile;
} {
  const summary = summarizeBacklinks(report.links, report.sources, {
    via: report.via,
    domain: report.page?.domain ?? null,
  });
  const target = profileTargetOf(report.url, report.page, summary);
  return { summary, profile: summarizeProfile(summary, target, Date.now()) };
}

/** Read the backlinks of one URL straight from IndexedDB: no worker round trip. */
export async function loadReport(url: string): Promise<void> {
  try {
    const db = await getDb();
    const report = await loadBacklinks(db, url, (await loadSettings()).folds);
    reportState.value = report
      ? {
          status: 'ready',
          url: report.url,
          page: report.page,
          ...summarizeReport(report),
          redirect: report.redirect,
          variants: report.variants,
          folded: report.folded,
          choices: foldChoices(report.url, report.variants, report.folded),
        }
      : { status: 'unsupported', url };
    // Scores come from the background job's last run; the list does not wait for them.
    if (report) {
      // A page never visited has no record: its domain is on the links to it.
      const domain =
        report.page?.domain ??
        report.links.find((l) => l.target === report.url)?.targetDomain ??
        null;
      const sources = [...new Set(report.links.map((l) => l.source))];
      // Scores are an extra: if they cannot be read, the report stands without them.
      authorityState.value = await loadAuthority(db, report.url, domain, sources).catch(() => null);
      // Visits sent by links, an extra too: the list stands without them.
      await loadReferrals(db, report).catch(() => (referralState.value = null));
    }
    // The site-wide view can be large (a popular site): it must not delay the page's own list.
    const site = report && (await loadSiteLinks(db, url));
    if (site) siteState.value = summarizeSite(site.domain, site.links, 10, site.complete);
    if (report) await loadOutreach(db, report, site);
  } catch (error) {
    reportState.value = { status: 'error', message: String(error) };
  }
}

/**
 * Count a group of the page's variants as the page (on) or apart again (off), remembered for the
 * site in settings, then show the report again. Ends in a notice either way.
 */
export async function setFold(choice: FoldChoice): Promise<void> {
  const state = reportState.value;
  if (state.status !== 'ready') return;
  const { group, moves: affected } = choice;
  const on = !choice.folded;
  try {
    await updateSettings((s) => ({ ...s, folds: withFold(s.folds, state.url, group, on) }));
    await loadReport(state.url);
    const variants = `${affected} variant${affected === 1 ? '' : 's'}`;
    notice.value = {
      text: on ? `${variants} now counted as this page.` : `${variants} counted apart again.`,
    };
  } catch (error) {
    notice.value = { text: `Could not save the choice: ${String(error)}`, error: true };
  }
}
