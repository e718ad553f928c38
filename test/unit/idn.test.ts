import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  decodePunycode,
  displayHost,
  displayHttpUrl,
  displaySitePath,
  displayUrl,
} from '../../src/core/idn';
import { MAX_URL_LENGTH } from '../../src/core/limits';

/** The encoded host the URL parser stores for a name typed in Unicode. */
const encode = (unicode: string) => new URL(`http://${unicode}/`).hostname;

describe('decodePunycode', () => {
  it('decodes RFC 3492 sample strings and IDN labels', () => {
    // RFC 3492 section 7.1 (B) Chinese (simplified), and (L) a Japanese/Latin mix.
    expect(decodePunycode('ihqwcrb4cv8a8dqg056pqjye')).toBe('他们为什么不说中文');
    expect(decodePunycode('3B-ww4c5e180e575a65lsy2b')).toBe('3年B組金八先生');
    expect(decodePunycode('caf-dma')).toBe('café');
  });

  it('returns null for malformed input', () => {
    expect(decodePunycode('-abc')).toBeNull(); // '-' is not a digit
    expect(decodePunycode('caf-dm!')).toBeNull();
    expect(decodePunycode('caf-d')).toBeNull(); // ends inside a number
    expect(decodePunycode('99999999999')).toBeNull(); // overflows
    expect(decodePunycode('é-abc')).toBeNull(); // non-ASCII basic code point
  });
});

describe('displayHost', () => {
  const shown: Array<[string, string]> = [
    ['café.test', 'latin with a diacritic'],
    ['münchen.de', 'latin with an umlaut'],
    ['例え.jp', 'Han and Hiragana'],
    ['한국.kr', 'Hangul'],
    ['пример.рф', 'a Cyrillic word under a Cyrillic TLD'],
    ['москва.рф', 'a Cyrillic word under a Cyrillic TLD'],
    ['аррӏе.ru', 'Latin lookalikes, but under a TLD listed for Cyrillic'],
    ['пример.com', 'Cyrillic with letters that do not pass for Latin'],
    ['σοφία.com', 'Greek with letters that do not pass for Latin'],
    ['ελλάδα.gr', 'Greek under .gr'],
    ['日本語ひらがなカタカナabc.jp', 'Latin + Han + Hiragana + Katakana'],
    ['中文ㄅabc.tw', 'Latin + Han + Bopomofo'],
    ['한국abc日本.kr', 'Latin + Han + Hangul'],
    ['abc-123.café.test', 'an ASCII label beside an IDN label'],
  ];
  it.each(shown)('shows %s in Unicode (%s)', (unicode) => {
    const encoded = encode(unicode);
    expect(encoded).toMatch(/xn--/);
    expect(displayHost(encoded)).toEqual({ text: unicode, encoded, readable: true });
  });

  const kept: Array<[string, string]> = [
    ['xn--pple-43d.com', 'аpple: Cyrillic а mixed with Latin'],
    ['xn--80ak6aa92e.com', 'аррӏе: all Cyrillic letters that look Latin, under .com'],
    ['xn--pypal-d9d.com', 'pαypal: Greek α mixed with Latin'],
    ['xn--vxajf.com', 'ροκ: all Greek letters that look Latin, under .com'],
    ['xn--a-ylb.com', 'αa: Greek and Latin'],
    ['xn--abc-rzef8dvf.com', 'Arabic mixed with Latin (not an East Asian mix)'],
    ['xn--f9dt7l.com', 'Cherokee: not a script recommended for identifiers'],
    ['xn--ab-m1t.com', 'an invisible zero-width joiner'],
    ['xn--example-4z5f.com', 'the Hangul filler, an invisible letter'],
    ['xn--strae-oqa.de', 'straße: the deviation character ß'],
    ['xn--paypal-rq0c.com', 'a fraction slash that looks like /'],
    ['xn--abc-jdc.com', 'a label starting with a combining mark'],
    ['xn--caf-pia.test', 'an upper-case É, which IDNA never encodes'],
    ['xn--abc.com', 'decodes to ASCII only'],
    ['xn--a.test', 'invalid punycode'],
    ['xn--caf-dm!.test', 'invalid punycode digits'],
    ['xn--.test', 'an empty A-label'],
    ['xn--caf-dma.xn--zz.test', 'one invalid label keeps the whole host encoded'],
  ];
  it.each(kept)('keeps %s encoded (%s)', (encoded) => {
    expect(displayHost(encoded)).toEqual({ text: encoded, encoded, readable: false });
  });

  it('leaves ASCII hosts, IP addresses and localhost as they are', () => {
    for (const host of ['coffee-blog.test', 'www.example.co.uk', '127.0.0.1', '[::1]', 'localhost'])
      expect(displayHost(host)).toEqual({ text: host, encoded: host, readable: true });
  });

  it('takes a host given in Unicode and reports its encoded form', () => {
    expect(displayHost('Café.test')).toEqual({
      text: 'café.test',
      encoded: 'xn--caf-dma.test',
      readable: true,
    });
  });
});

describe('displaySitePath', () => {
  const SITE = 'coffee-blog.test';
  it.each([
    ['http://coffee-blog.test/brewing-guide', SITE, '/brewing-guide'],
    ['https://coffee-blog.test/?ref=ok', SITE, '/?ref=ok'],
    ['https://www.coffee-blog.test/a', SITE, 'www.coffee-blog.test/a'],
    ['http://coffee-blog.test:8080/a', SITE, 'coffee-blog.test:8080/a'],
    ['http://xn--caf-dma.test/men%C3%BC', 'xn--caf-dma.test', '/menü'],
    ['http://blog.xn--caf-dma.test/p', 'xn--caf-dma.test', 'blog.café.test/p'],
  ])('%j on %j -> %j', (url, site, expected) => {
    expect(displaySitePath(url, site)).toBe(expected);
  });
});

describe('displayUrl', () => {
  it('shows the host in Unicode and decodes non-ASCII escapes in path and query', () => {
    expect(displayUrl('http://xn--caf-dma.test/men%C3%BC?q=%E4%BE%8B')).toBe(
      'http://café.test/menü?q=例',
    );
    expect(displayUrl('https://xn--mnchen-3ya.de:8080/')).toBe('https://münchen.de:8080/');
  });

  it('keeps escapes that would change what the URL says, or that hide characters', () => {
    const url = 'http://a.test/a%2Fb%3Fc%23d%25e%20f?x=%26';
    expect(displayUrl(url)).toBe(url);
    // U+00A0 no-break space, U+200B zero-width space, U+202E right-to-left override.
    for (const escaped of ['%C2%A0', '%E2%80%8B', '%E2%80%AE'])
      expect(displayUrl(`http://a.test/x${escaped}y`)).toBe(`http://a.test/x${escaped}y`);
    // Decodes the letter, keeps the invisible character beside it escaped.
    expect(displayUrl('http://a.test/%C3%A9%E2%80%8B')).toBe('http://a.test/é%E2%80%8B');
  });

  it('keeps bytes that are not UTF-8 as they are', () => {
    expect(displayUrl('http://a.test/caf%E9')).toBe('http://a.test/caf%E9');
  });

  it('keeps a lookalike host encoded inside a URL', () => {
    expect(displayUrl('http://xn--pple-43d.test/login')).toBe('http://xn--pple-43d.test/login');
  });

  it('returns anything that is not an http(s) URL unchanged', () => {
    expect(displayUrl('not a url')).toBe('not a url');
    expect(displayUrl('mailto:x@xn--caf-dma.test')).toBe('mailto:x@xn--caf-dma.test');
  });

  it('shows a plain source URL without parsing it (the popup parsed its 150 rows)', () => {
    let parsed = 0;
    vi.stubGlobal(
      'URL',
      class extends URL {
        constructor(...args: ConstructorParameters<typeof URL>) {
          super(...args);
          parsed += 1;
        }
      },
    );
    onTestFinished(() => void vi.unstubAllGlobals());
    for (let i = 0; i < 150; i++) {
      const url = `https://www.plain-source${i}.com/posts/${i}?page=2&ref=a#c-${i}`;
      expect(displayUrl(url)).toBe(url);
    }
    expect(parsed).toBe(0);
  });

  it('leaves the plain way to a URL with an A-label, or one too long to be a link', () => {
    // Plain in every other way (no port, no escape): its host still reads in Unicode.
    expect(displayUrl('https://www.xn--mnchen-3ya.de/stadt?a=1')).toBe(
      'https://www.münchen.de/stadt?a=1',
    );
    expect(displayUrl('http://xn--pple-43d.test/login')).toBe('http://xn--pple-43d.test/login');
    const long = `https://a.test/${'a'.repeat(MAX_URL_LENGTH)}`;
    expect(displayHttpUrl(long)).toBeNull();
  });

  it('shows any URL as a parse does, whether it takes the plain way or not', () => {
    // Mulberry32: the same 20,000 URLs each run.
    let seed = 23;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const label = () =>
      pick(['a', 'b-c', 'x1', '0', '12', 'Ab', 'www', 'source7', '-q', 'com', '0x1f', ''] as const);
    const path = () =>
      Array.from({ length: Math.floor(random() * 12) }, () =>
        pick([...'aZ09/.?#%"<>\'^|[]{}`~!$&()*+,;=:@-_ ', '%41', '%e9', '..', './', '/.']),
      ).join('');
    for (let i = 0; i < 20_000; i++) {
      const host = Array.from({ length: 1 + Math.floor(random() * 3) }, label).join('.');
      const url = `${pick(['http', 'https', 'HTTP', 'ftp'])}://${host}${pick(['', '', '.', ':80', ':443', ':8080'])}${pick(['/', '/', ''])}${path()}`;
      let expected = url;
      try {
        const p = new URL(url);
        if ((p.protocol === 'http:' || p.protocol === 'https:') && p.hostname) {
          const port = p.port ? `:${p.port}` : '';
          expected = `${p.protocol}//${displayHost(p.hostname).text}${port}${p.pathname}${p.search}${p.hash}`;
        }
      } catch {
        // not a URL: shown as it is
      }
      // The generated paths decode to ASCII only, which the display leaves escaped.
      if (/%[89a-f]/i.test(expected)) continue;
      expect(displayUrl(url), url).toBe(expected);
    }
  });
});
