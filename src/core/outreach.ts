import type { LinkRecord } from './types';

/** One linking page of a domain worth contacting: the page to open, and what it links to. */
export interface OutreachPage {
  /** The page with the link (to open and read). */
  source: string;
  /** The page it links to: another page of this site, or a related page. */
  target: string;
  anchor: string;
}

/** A referring domain that links to pages near this one but not to this one. */
export interface OutreachDomain {
  domain: string;
  /** Distinct pages it links to (other pages of the site, or related pages). */
  targets: number;
  /** One linking page per target, in target order. */
  pages: OutreachPage[];
}

/** Domains listed at most per hint. */
export const MAX_OUTREACH_DOMAINS = 20;

/** The domains with a live link to this page: they need no asking. */
function domainsLinkingTo(pageLinks: readonly LinkRecord[]): Set<string> {
  return new Set(pageLinks.filter((l) => l.lostAt === null).map((l) => l.sourceDomain));
}

/** Group live links by source domain, one example page per target, most targets first. */
function byDomain(links: readonly LinkRecord[], limit: number): OutreachDomain[] {
  const domains = new Map<string, Map<string, OutreachPage>>();
  for (const l of links) {
    const targets = domains.get(l.sourceDomain) ?? new Map<string, OutreachPage>();
    domains.set(l.sourceDomain, targets);
    const known = targets.get(l.target);
    // The same page always shown for a target: the first source in URL order.
    if (!known || l.source < known.source) {
      targets.set(l.target, { source: l.source, target: l.target, anchor: l.anchor });
    }
  }
  return [...domains]
    .map(([domain, targets]) => ({
      domain,
      targets: targets.size,
      pages: [...targets.values()].sort((a, b) => a.target.localeCompare(b.target)),
    }))
    .sort((a, b) => b.targets - a.targets || a.domain.localeCompare(b.domain))
    .slice(0, limit);
}

/**
 * Referring domains that link (live) to other pages of this page's site, but to this page not
 * at all: sites that already know the site, the likeliest to link here too. `siteLinks`: the
 * links into the site (storage/queries#loadSiteLinks); `pageLinks`: the page's own backlinks,
 * aliases and redirects included (loadBacklinks). The site's own pages are left out.
 */
export function siteOutreach(
  siteDomain: string,
  siteLinks: readonly LinkRecord[],
  pageLinks: readonly LinkRecord[],
  limit = MAX_OUTREACH_DOMAINS,
): OutreachDomain[] {
  const linking = domainsLinkingTo(pageLinks);
  const toPage = new Set(pageLinks.map((l) => l.target));
  const candidates = siteLinks.filter(
    (l) =>
      l.lostAt === null &&
      l.sourceDomain !== siteDomain &&
      !linking.has(l.sourceDomain) &&
      !toPage.has(l.target),
  );
  return byDomain(candidates, limit);
}

/** A related page and the live links to it (aliases and redirects included). */
export interface RelatedLinks {
  url: string;
  /** The related page's registrable domain, when known: its own links to itself are not hints. */
  domain: string | null;
  links: readonly LinkRecord[];
}

/**
 * Link intersect: domains that link (live) to two or more of the related pages the user
 * marked, but not to this page. Their own sites' links, and this site's, are left out: a
 * competitor linking to its own pages says nothing about who would link here.
 */
export function linkIntersect(
  siteDomain: string | null,
  related: readonly RelatedLinks[],
  pageLinks: readonly LinkRecord[],
  limit = MAX_OUTREACH_DOMAINS,
): OutreachDomain[] {
  const linking = domainsLinkingTo(pageLinks);
  const own = new Set([siteDomain, ...related.map((r) => r.domain)]);
  // Each related page counts once per domain, whichever alias or redirect its links point to.
  const asRelated = related.flatMap((r) =>
    r.links
      .filter((l) => l.lostAt === null && !own.has(l.sourceDomain) && !linking.has(l.sourceDomain))
      .map((l) => ({ ...l, target: r.url })),
  );
  return byDomain(asRelated, Infinity)
    .filter((d) => d.targets >= 2)
    .slice(0, limit);
}
