import { expect, test } from 'vitest';
import { useExtensionSession } from '../support/session';
import { activity, browse, openPopupFor, shownLinks, stat } from '../support/extension-pages';

const s = useExtensionSession();

test('a page with 30,000 links stays responsive and is capped, not frozen', async () => {
  const links = Array.from(
    { length: 30_000 },
    (_, i) => `<li><a href="http://target.test/p/${i}">item ${i}</a></li>`,
  ).join('');
  s.server.setPage('huge.test', '/', `<!doctype html><title>Huge</title><ul>${links}</ul>`);
  const before = (await activity(s.ext)).recorded ?? 0;
  await browse(s.ext, s.page, ['http://huge.test/']);
  expect((await activity(s.ext)).recorded).toBe(before + 1);
  // The page itself is intact and still answers its own script.
  expect(await s.page.evaluate(() => document.links.length)).toBe(30_000);

  await openPopupFor(s.ext, s.page, 'http://target.test/p/4999');
  expect((await shownLinks(s.page)).map((l) => l.source)).toEqual(['http://huge.test/']);
  // Past the cap (5,000 links a s.page) nothing is stored.
  await openPopupFor(s.ext, s.page, 'http://target.test/p/5000');
  expect(await shownLinks(s.page)).toEqual([]);
});

test('markup in anchors and titles is shown as text, and only http(s) sources are links', async () => {
  const evil = '<img src=x onerror="document.title=\'pwned\'">';
  s.server.setPage(
    'evil.test',
    '/',
    `<!doctype html><title>${evil.replace(/</g, '&lt;')}</title>` +
      `<a href="http://victim.test/">${evil.replace(/</g, '&lt;')}</a>` +
      `<a href="javascript:alert(1)">js</a><a href="data:text/html,hi">data</a>`,
  );
  await browse(s.ext, s.page, ['http://evil.test/']);
  await openPopupFor(s.ext, s.page, 'http://victim.test/');
  const [link] = await shownLinks(s.page);
  expect(link?.anchor).toBe(evil);
  expect(await s.page.locator('li.link img').count()).toBe(0);
  expect(await s.page.title()).not.toBe('pwned');
  // Text, not innerText: a popup row may not be rendered yet (content-visibility: auto).
  expect(await s.page.locator('li.link .source').textContent()).toBe(evil);
  const hrefs = await s.page.$$eval('main a[href]', (as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs.every((h) => /^https?:\/\//.test(h ?? ''))).toBe(true);
  expect(await stat(s.page, 'backlinks')).toBe(1);
});

test('malformed hrefs are skipped and the rest of the page is still recorded', async () => {
  s.server.setPage(
    'messy.test',
    '/',
    '<!doctype html><title>Messy</title>' +
      '<a href="http://exa mple.test/">space</a><a href="http://[::1">bad ipv6</a>' +
      '<a href="   http://victim.test/  ">padded</a><a href="http://victim.test/#frag">frag</a>' +
      '<a href="HTTP://VICTIM.test:80/?utm_campaign=x&fbclid=y">tracked</a>',
  );
  await browse(s.ext, s.page, ['http://messy.test/']);
  await openPopupFor(s.ext, s.page, 'http://victim.test/');
  const anchors = (await shownLinks(s.page))
    .filter((l) => l.source === 'http://messy.test/')
    .map((l) => l.anchor)
    .sort();
  expect(anchors).toEqual(['frag', 'padded', 'tracked']);
});
