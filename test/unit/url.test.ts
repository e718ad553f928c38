import { describe, expect, it } from 'vitest';
import {
  isSecretAddress,
  asCanonicalUrl,
  canonicalizeUrl,
  hostOf,
  isHttpUrl,
  parseHttpUrl,
  shareableUrl,
} from '../../src/core/url';
import { MAX_URL_LENGTH } from '../../src/core/limits';
import { registrableDomain } from '../../src/core/domain';

describe('canonicalizeUrl', () => {
  it.each([
    // scheme and host case
    ['HTTP://WWW.Example.COM/Path', 'http://www.example.com/Path'],
    ['HtTpS://Example.com', 'https://example.com/'],
    // IDN to punycode
    ['http://bücher.example/', 'http://xn--bcher-kva.example/'],
    ['http://BÜCHER.example/x', 'http://xn--bcher-kva.example/x'],
    // default ports dropped, other ports kept
    ['http://example.com:80/a', 'http://example.com/a'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['http://example.com:443/a', 'http://example.com:443/a'],
    ['https://example.com:80/a', 'https://example.com:80/a'],
    ['http://example.com:8080', 'http://example.com:8080/'],
    // fragment and credentials dropped
    ['https://example.com/a#section-2', 'https://example.com/a'],
    ['https://example.com/a?q=1#x', 'https://example.com/a?q=1'],
    ['https://user:secret@example.com/a', 'https://example.com/a'],
    ['https://user@example.com:8443/a', 'https://example.com:8443/a'],
    // trailing dot of a fully qualified host
    ['https://example.com./a', 'https://example.com/a'],
    ['https://example.com.:8443/', 'https://example.com:8443/'],
    // surrounding whitespace
    ['  https://example.com/a \n', 'https://example.com/a'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  describe('percent-encoding', () => {
    it('decodes escapes of unreserved characters', () => {
      expect(canonicalizeUrl('https://example.com/%7euser/%41%62%2D%5F%2e')).toBe(
        'https://example.com/~user/Ab-_.',
      );
    });

    it('keeps escapes of reserved characters but upper-cases their hex', () => {
      expect(canonicalizeUrl('https://example.com/a%2fb/%2F/%3a%3f')).toBe(
        'https://example.com/a%2Fb/%2F/%3A%3F',
      );
      expect(canonicalizeUrl('https://example.com/%e2%82%ac')).toBe(
        'https://example.com/%E2%82%AC',
      );
    });

    it('makes raw and encoded forms of the same path equal', () => {
      expect(canonicalizeUrl('https://example.com/€ x')).toBe(
        canonicalizeUrl('https://example.com/%e2%82%ac%20x'),
      );
    });

    it('does not decode twice (%2541 is a literal "%41")', () => {
      expect(canonicalizeUrl('https://example.com/%2541')).toBe('https://example.com/%2541');
    });

    it('makes no new escape out of a lone "%" (the same URL, the same key, however often)', () => {
      expect(canonicalizeUrl('https://example.com/%a%41')).toBe('https://example.com/%a%41');
      expect(canonicalizeUrl('https://example.com/%%41%41?q=%%41%42')).toBe(
        'https://example.com/%%41A?q=%%41B',
      );
      // Every path and query of lone "%", hex digits and escapes of them: canonical is a fixed point.
      const bits = ['%', 'a', '4', '%41', '%61', '%34', '%2', 'z'];
      for (let n = 0; n < 4000; n++) {
        let path = '';
        for (let k = n; k > 0; k = Math.floor(k / bits.length)) path += bits[k % bits.length];
        const once = canonicalizeUrl(`https://example.com/${path}?q=${path}`);
        expect(once && canonicalizeUrl(once), path).toBe(once);
      }
    });

    it('normalizes the query too without decoding its delimiters', () => {
      expect(canonicalizeUrl('https://example.com/s?q=a%2fb%26c%3dd&x=%7e')).toBe(
        'https://example.com/s?q=a%2Fb%26c%3Dd&x=~',
      );
    });
  });

  it.each([
    ['https://example.com/a/./b/../c', 'https://example.com/a/c'],
    ['https://example.com/../../a', 'https://example.com/a'],
    ['https://example.com/a/%2e%2e/b', 'https://example.com/b'],
    ['https://example.com/a/b/.', 'https://example.com/a/b/'],
  ])('resolves dot segments: %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  describe('tracking parameters', () => {
    it('removes utm_*, click ids and friends, keeping other params in order and as written', () => {
      expect(
        canonicalizeUrl(
          'https://example.com/p?b=2&utm_source=news&a=1&fbclid=XYZ&gclid=1&msclkid=2&c=x+y%20z&utm_medium=email',
        ),
      ).toBe('https://example.com/p?b=2&a=1&c=x+y%20z');
    });

    it('matches names case-insensitively and through percent-encoding', () => {
      expect(
        canonicalizeUrl(
          'https://example.com/p?UTM_Source=a&Utm_Campaign=b&FBCLID=c&utm%5Fterm=d&id=7',
        ),
      ).toBe('https://example.com/p?id=7');
    });

    it('removes parameters that only share a prefix-list entry, not ones merely containing it', () => {
      expect(
        canonicalizeUrl('https://example.com/?pk_campaign=x&mtm_source=y&my_utm_source=z'),
      ).toBe('https://example.com/?my_utm_source=z');
    });

    it('keeps repeated and valueless parameters', () => {
      expect(canonicalizeUrl('https://example.com/?a=1&a=2&flag&utm_id=3')).toBe(
        'https://example.com/?a=1&a=2&flag',
      );
    });

    it('drops a query that ends up empty, and an empty one', () => {
      expect(canonicalizeUrl('https://example.com/p?utm_source=a&gclid=b')).toBe(
        'https://example.com/p',
      );
      expect(canonicalizeUrl('https://example.com/p?')).toBe('https://example.com/p');
      expect(canonicalizeUrl('https://example.com/p?&&')).toBe('https://example.com/p');
      expect(canonicalizeUrl('https://example.com/p?a=1&&b=2&')).toBe(
        'https://example.com/p?a=1&b=2',
      );
    });
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:void(0)',
    'mailto:someone@example.com',
    'data:text/html,<h1>hi</h1>',
    'ftp://example.com/file',
    'file:///etc/passwd',
    'chrome://settings',
    'about:blank',
    'blob:https://example.com/0b2f',
    'ws://example.com/socket',
  ])('rejects the non-http URL %s', (input) => {
    expect(canonicalizeUrl(input)).toBeNull();
  });

  it.each([
    '',
    '   ',
    'not a url',
    'http://',
    'https://',
    'http://exa mple.com/',
    'http://[::1',
    'http://./',
    '//example.com/a',
    '/relative/path',
  ])('rejects malformed input %j', (input) => {
    expect(canonicalizeUrl(input)).toBeNull();
  });

  it('rejects non-string input passed in from untyped code', () => {
    expect(canonicalizeUrl(undefined as unknown as string)).toBeNull();
    expect(canonicalizeUrl(42 as unknown as string)).toBeNull();
  });

  it('resolves relative references against a base', () => {
    expect(canonicalizeUrl('../x?utm_medium=a&k=v#frag', 'https://Example.com/a/b/c')).toBe(
      'https://example.com/a/x?k=v',
    );
    expect(canonicalizeUrl('//cdn.example.org/lib.js', 'https://example.com/')).toBe(
      'https://cdn.example.org/lib.js',
    );
    expect(canonicalizeUrl('mailto:a@b.c', 'https://example.com/')).toBeNull();
    expect(canonicalizeUrl('/a', 'not a base')).toBeNull();
  });

  it('rejects input longer than 8192 characters but accepts it at the limit', () => {
    const prefix = 'https://example.com/';
    expect(canonicalizeUrl(prefix + 'a'.repeat(8192 - prefix.length))).toBe(
      prefix + 'a'.repeat(8192 - prefix.length),
    );
    expect(canonicalizeUrl(prefix + 'a'.repeat(8193 - prefix.length))).toBeNull();
  });

  it('is idempotent', () => {
    const inputs = [
      'HTTP://user:pw@Bücher.Example.:80/a/./b/../%7e%2f?UTM_source=x&q=%e2%82%ac&b#f',
      'https://example.com:8443/x?a=1&a=2&flag',
      'https://example.com/€ x?q=a b',
    ];
    for (const input of inputs) {
      const once = canonicalizeUrl(input);
      expect(once).not.toBeNull();
      expect(canonicalizeUrl(once!)).toBe(once);
    }
  });
});

describe('shareableUrl', () => {
  it.each([
    [
      'https://shop.test/cart?session_id=8f14e45fceea167a&item=3#top',
      'https://shop.test/cart?item=3',
    ],
    ['https://blog.test/post?utm_source=x', 'https://blog.test/post'],
    ['https://app.test/reset-password/8f14e45fceea167a5a36dedd', ''],
    ['chrome://settings', 'chrome://settings'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(shareableUrl(input)).toBe(expected);
  });
});

describe('isSecretAddress', () => {
  it.each([
    ['https://app.test/reset-password/8f14e45fceea167a5a36dedd', true],
    ['https://app.test/reset-password/', false],
    ['https://shop.test/cart?session_id=8f14e45fceea167a', false],
    ['chrome://settings', false],
    ['', false],
  ])('%j -> %j', (input, expected) => {
    expect(isSecretAddress(input)).toBe(expected);
  });
});

describe('parseHttpUrl / isHttpUrl / hostOf', () => {
  it('parses http(s) URLs, optionally against a base', () => {
    expect(parseHttpUrl('https://example.com/a')?.pathname).toBe('/a');
    expect(parseHttpUrl('b', 'https://example.com/a/')?.href).toBe('https://example.com/a/b');
    expect(parseHttpUrl('ftp://example.com/')).toBeNull();
    expect(parseHttpUrl('nonsense')).toBeNull();
  });

  it('isHttpUrl tells http(s) URLs from everything else', () => {
    expect(isHttpUrl('http://example.com')).toBe(true);
    expect(isHttpUrl('https://example.com/x?y')).toBe(true);
    expect(isHttpUrl('javascript:alert(1)')).toBe(false);
    expect(isHttpUrl('example.com')).toBe(false);
  });

  it('hostOf gives the hostname without port', () => {
    expect(hostOf('https://www.example.com:8443/a')).toBe('www.example.com');
    expect(hostOf('http://[::1]:8080/')).toBe('[::1]');
  });
});

describe('registrableDomain', () => {
  it.each([
    ['a.b.example.co.uk', 'example.co.uk'],
    ['www.example.com', 'example.com'],
    ['example.com', 'example.com'],
    // private suffixes: each site is its own domain
    ['foo.github.io', 'foo.github.io'],
    ['bar.foo.github.io', 'foo.github.io'],
    ['someone.blogspot.com', 'someone.blogspot.com'],
    // hosts without a registrable domain stand for themselves
    ['192.168.0.1', '192.168.0.1'],
    ['localhost', 'localhost'],
    ['[::1]', '[::1]'],
    ['co.uk', 'co.uk'],
    // made-up test hosts behave like any unknown TLD
    ['shop.coffee-blog.test', 'coffee-blog.test'],
    ['coffee-blog.test', 'coffee-blog.test'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ])('%s -> %s', (host, expected) => {
    expect(registrableDomain(host)).toBe(expected);
  });

  it('accepts a URL as well as a host', () => {
    expect(registrableDomain('https://news.bbc.co.uk/a/b')).toBe('bbc.co.uk');
    expect(registrableDomain('http://127.0.0.1:8080/x')).toBe('127.0.0.1');
    expect(registrableDomain('https://alice.github.io/blog/')).toBe('alice.github.io');
  });
});

describe('whitespace at the edges', () => {
  it('strips only what the URL parser strips, so a tab URL and a link to it agree', () => {
    expect(canonicalizeUrl(' \thttps://example.com/a\n ')).toBe('https://example.com/a');
    // U+00A0 is kept by the parser (percent-encoded): String#trim would drop it.
    expect(canonicalizeUrl('https://example.com/a\u00A0')).toBe('https://example.com/a%C2%A0');
    expect(canonicalizeUrl('https://example.com/a%C2%A0')).toBe('https://example.com/a%C2%A0');
    expect(canonicalizeUrl('\u00A0https://example.com/')).toBeNull();
  });
});

describe('the URL length limit', () => {
  const at = (n: number) => `https://example.com/${'x'.repeat(n - 'https://example.com/'.length)}`;

  it('keeps a URL at the limit whole and refuses a longer one rather than cutting it', () => {
    expect(canonicalizeUrl(at(MAX_URL_LENGTH))).toBe(at(MAX_URL_LENGTH));
    expect(canonicalizeUrl(at(MAX_URL_LENGTH + 1))).toBeNull();
    expect(canonicalizeUrl(at(1_000_000))).toBeNull();
  });

  it('refuses a short href that resolves against a long base into a URL over the limit', () => {
    const base = `${at(MAX_URL_LENGTH - 10)}/`;
    expect(canonicalizeUrl('page-with-a-name', base)).toBeNull();
    expect(canonicalizeUrl('/short', base)).toBe('https://example.com/short');
  });

  it('reads an untrusted field as a URL only when it is a string within bounds', () => {
    expect(asCanonicalUrl('https://example.com/a?token=x')).toBe('https://example.com/a');
    expect(asCanonicalUrl(42)).toBeNull();
    expect(asCanonicalUrl(at(MAX_URL_LENGTH + 1))).toBeNull();
  });
});
