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
