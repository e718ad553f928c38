import type { ShownLink } from './extension-pages';

/** The bundled demo web (test/fixtures/demo-site), shared by the demo and the e2e tests. */
export const GUIDE = 'http://coffee-blog.test/brewing-guide';

/** Every demo page except the guide, the one they link to. */
export const DEMO_SOURCES = [
  'http://coffee-blog.test/',
  'http://coffee-blog.test/about',
  'http://news-daily.test/',
  'http://forum.test/thread-42',
  'http://deals.test/',
  'http://linkfarm.test/',
];

/** Every link to the guide that the demo pages contain, read off their HTML by hand. */
export const LINKS_TO_GUIDE: ShownLink[] = [
  {
    source: 'http://coffee-blog.test/',
    anchor: 'Brewing guide',
    rel: [],
    region: 'nav',
    lost: false,
  },
  {
    source: 'http://coffee-blog.test/',
    anchor: 'Read the brewing guide',
    rel: [],
    region: 'main',
    lost: false,
  },
  {
    source: 'http://coffee-blog.test/about',
    anchor: 'brewing guide',
    rel: [],
    region: 'footer',
    lost: false,
  },
  {
    source: 'http://news-daily.test/',
    anchor: 'the definitive brewing guide',
    rel: [],
    region: 'main',
    lost: false,
  },
  {
    source: 'http://forum.test/thread-42',
    anchor: 'step two of this guide',
    rel: ['ugc', 'nofollow'],
    region: 'comments',
    lost: false,
  },
  {
    source: 'http://deals.test/',
    anchor: 'Brewing guide banner',
    rel: ['sponsored'],
    region: 'aside',
    lost: false,
  },
  {
    source: 'http://linkfarm.test/',
    anchor: 'best coffee guide cheap coffee',
    rel: [],
    region: 'other',
    lost: false,
  },
];
