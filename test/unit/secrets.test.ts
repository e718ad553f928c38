import { describe, expect, it } from 'vitest';
import { canonicalizeUrl } from '../../src/core/url';
import { isSecretParam, isSecretPath, looksGenerated } from '../../src/core/secrets';

describe('secrets in URLs, through canonicalizeUrl', () => {
  it.each([
    // session ids
    [
      'https://shop.example/cart?sessionid=8f14e45fceea167a5a36dedd4bea2543',
      'https://shop.example/cart',
    ],
    [
      'https://forum.example/viewtopic.php?t=42&sid=0123456789abcdef',
      'https://forum.example/viewtopic.php?t=42',
    ],
    [
      'https://old.example/index.php?PHPSESSID=el4ukv0kqbvoirg7nkp4dncpk3&page=2',
      'https://old.example/index.php?page=2',
    ],
    [
      'https://java.example/shop;jsessionid=A1B2C3D4E5F6?item=7',
      'https://java.example/shop?item=7',
    ],
    ['https://java.example/shop;JSESSIONID=A1B2C3D4E5F6/list', 'https://java.example/shop/list'],
    ['https://java.example/shop?jsessionid=A1B2C3D4E5F6', 'https://java.example/shop'],
    // tokens, keys, passwords
    [
      'https://app.example/share?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
      'https://app.example/share',
    ],
    [
      'https://api.example/feed?access_token=ya29.a0AfH6SMBx&format=rss',
      'https://api.example/feed?format=rss',
    ],
    ['https://app.example/cb?id_token=abc&refresh_token=def', 'https://app.example/cb'],
    [
      'https://app.example/dl?auth=c2VjcmV0&file=report.pdf',
      'https://app.example/dl?file=report.pdf',
    ],
    ['https://api.example/v1?apikey=1234abcd&q=x', 'https://api.example/v1?q=x'],
    ['https://api.example/v1?API_KEY=1234abcd', 'https://api.example/v1'],
    [
      'https://maps.example/embed?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&q=Paris',
      'https://maps.example/embed?q=Paris',
    ],
    [
      'https://old.example/login.php?user=bob&password=hunter2',
      'https://old.example/login.php?user=bob',
    ],
    ['https://hooks.example/in?secret=s3cr3t&x=1', 'https://hooks.example/in?x=1'],
    ['https://img.example/p.jpg?w=600&sig=9f86d081884c7d65', 'https://img.example/p.jpg?w=600'],
    ['https://docs.example/d/abc/edit?resourcekey=0-Ab12Cd34', 'https://docs.example/d/abc/edit'],
    [
      'https://www.dropbox.com/scl/fi/x1/a.pdf?rlkey=ab12cd34ef&dl=0',
      'https://www.dropbox.com/scl/fi/x1/a.pdf?dl=0',
    ],
    // signed cloud-storage URLs: the object URL is kept
    [
      'https://bucket.s3.amazonaws.com/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Security-Token=FwoGZXIvYXdzEJr&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024',
      'https://bucket.s3.amazonaws.com/report.pdf',
    ],
    [
      'https://storage.googleapis.com/b/o.png?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p.iam.gserviceaccount.com%2F20240101%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20240101T000000Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=1a2b3c',
      'https://storage.googleapis.com/b/o.png',
    ],
    [
      'https://acct.blob.core.windows.net/c/f.txt?sv=2021-06-08&ss=b&srt=o&sp=r&se=2024-01-02T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=abc%2Fdef%3D',
      'https://acct.blob.core.windows.net/c/f.txt',
    ],
    [
      'https://d111111abcdef8.cloudfront.net/v.mp4?Expires=1704067200&Signature=nitfHRCrtziwO2HwPfWw~yYDhUF5EwRunQA-j19DzZrvDh6hQ73lDx~-ar3UocvvRQVw6EkC~GdpGQyyOSKQim-TxAnW7d8F5Kkai9HVx0FIu-5jcQb0UEmatEXAMPLE3ReXySpLSMj0yCd3ZAB4UcBCAqEijkytL6f3fVYNGQI6&Key-Pair-Id=K2JCJMDEHXQW5F',
      'https://d111111abcdef8.cloudfront.net/v.mp4',
    ],
    // OAuth callback: code and state together
    [
      'https://app.example/oauth/callback?code=4%2F0AX4XfWh&state=xyz123&scope=email',
      'https://app.example/oauth/callback?scope=email',
    ],
    [
      'https://app.example/cb?state=af0ifjsldkj&code=SplxlOBeZQQYbYS6WxSbIA&session_state=abc',
      'https://app.example/cb',
    ],
    // the page that asks for a magic link is a page; the token after it is not
    ['https://app.example/auth/magic-link?token=x', 'https://app.example/auth/magic-link'],
    // credentials and fragments never kept
    ['https://admin:hunter2@intranet.example/dash', 'https://intranet.example/dash'],
    [
      'https://app.example/callback#access_token=ya29.x&token_type=Bearer',
      'https://app.example/callback',
    ],
  ])('%s is stripped to %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it.each([
    'https://app.example/reset-password/8d2f0e6a41b94c3e9a7f',
    'https://app.example/password/reset/Zm9vYmFyMTIzNDU2Nzg5MA',
    'https://django.example/accounts/reset/MQ/5n3-1f2c7a8e9b0d1e2f3a4b/',
    'https://app.example/users/confirm/AbCdEfGhIjKlMnOpQrStUv',
    'https://app.example/verify/123e4567-e89b-12d3-a456-426614174000',
    'https://app.example/account/activate/4f9a0c3b2d1e8f7a6b5c',
    'https://app.example/magic-link/anything',
    'https://app.example/auth/magic_link/sign-in?email=a%40b.example',
    'https://app.example/login/token/k3j4h5g6f7d8s9a0q1w2',
    'https://app.example/RESET-PASSWORD/8D2F0E6A41B94C3E9A7F?lang=en',
  ])('%s is not recorded at all', (input) => {
    expect(canonicalizeUrl(input)).toBeNull();
  });

  it.each([
    // ordinary parameters whose value or name merely mentions a secret
    ['https://search.example/?q=token', 'https://search.example/?q=token'],
    ['https://blog.example/list?page=2', 'https://blog.example/list?page=2'],
    ['https://search.example/find?key=value', 'https://search.example/find?key=value'],
    [
      'https://music.example/chords?key=c-sharp-minor',
      'https://music.example/chords?key=c-sharp-minor',
    ],
    // one half of a pair is not a credential
    [
      'https://snippets.example/view?code=print-hello',
      'https://snippets.example/view?code=print-hello',
    ],
    ['https://stats.example/us?state=ohio', 'https://stats.example/us?state=ohio'],
    ['https://news.example/a?se=1&sv=2', 'https://news.example/a?se=1&sv=2'],
    [
      'https://shop.example/sale?expires=2024-12-31&policy=returns',
      'https://shop.example/sale?expires=2024-12-31&policy=returns',
    ],
    // paths that only mention the keywords
    [
      'https://blog.example/how-to-reset-your-password',
      'https://blog.example/how-to-reset-your-password',
    ],
    ['https://help.example/account/reset-password', 'https://help.example/account/reset-password'],
    [
      'https://help.example/verify/how-verification-works',
      'https://help.example/verify/how-verification-works',
    ],
    [
      'https://etherscan.io/token/0x1f9840a85d5af5bf1d1762f925bdaddc4201f984',
      'https://etherscan.io/token/0x1f9840a85d5af5bf1d1762f925bdaddc4201f984',
    ],
    ['https://shop.example/p/123456789012345678', 'https://shop.example/p/123456789012345678'],
  ])('%s is kept as %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });
});

describe('looksGenerated', () => {
  it.each([
    ['8d2f0e6a41b94c3e9a7f', true],
    ['AbCdEfGhIjKlMnOpQrStUv', true],
    ['123e4567-e89b-12d3-a456-426614174000', true],
    ['how-to-reset-your-password', false],
    ['c-sharp-minor', false],
    ['internationalization', false],
    ['2024-01-01', false],
  ])('%s: %s', (text, expected) => {
    expect(looksGenerated(text)).toBe(expected);
  });
});

describe('isSecretParam and isSecretPath', () => {
  it('judges a pair only when both halves are there', () => {
    expect(isSecretParam('code', 'x', new Set(['code']))).toBe(false);
    expect(isSecretParam('code', 'x', new Set(['code', 'state']))).toBe(true);
    expect(isSecretParam('state', 'x', new Set(['state']))).toBe(false);
  });

  it('needs something after the keyword', () => {
    expect(isSecretPath('/magic-link/')).toBe(false);
    expect(isSecretPath('/magic-link/a')).toBe(true);
    expect(isSecretPath('/token/8d2f0e6a41b94c3e9a7f')).toBe(false);
    expect(isSecretPath('/auth/token/8d2f0e6a41b94c3e9a7f')).toBe(true);
  });
});
