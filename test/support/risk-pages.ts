import { RISK_SUMMARY_MIN_LINKS } from '../../src/storage/risk-line';
import { htmlPage } from './discovery-pages';
import type { SiteServer } from './site-server';

/** The hot page of the risk-line journeys: as many links as a page with a stored line has. */
export const RISK_TARGET = 'http://shop.test/widgets';

/** A page of the served site, its body in <main>: its links are editorial. */
export const mainPage = (title: string, body: string) => htmlPage(title, `<main>${body}</main>`);

/**
 * An exchange pair around RISK_TARGET: partner.test links to it from one page, many times over,
 * and the shop links back from /friends. Served only; each journey browses what it needs.
 */
export function serveExchangePair(server: Pick<SiteServer, 'setPage'>): void {
  const many = Array.from(
    { length: RISK_SUMMARY_MIN_LINKS },
    (_, i) => `<a href="${RISK_TARGET}">widget ${i}</a>`,
  ).join(' ');
  server.setPage('shop.test', '/widgets', mainPage('Widgets | Shop', '<p>Our widgets.</p>'));
  server.setPage('partner.test', '/', mainPage('Partner', many));
  server.setPage(
    'shop.test',
    '/friends',
    mainPage('Friends', '<a href="http://partner.test/">P</a>'),
  );
}
