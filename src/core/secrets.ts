/**
 * URLs that carry a secret: what is never stored, shown or exported. Applied by
 * core/url#canonicalizeUrl, so every URL that reaches storage (a visited page, a link's target,
 * a redirect, a referral, an imported row) has been through it. Listed in the README too.
 *
 * Two outcomes per shape:
 * - strip: the secret sits in a part that does not name the page (a query parameter, a `;`
 *   path parameter, the credentials, the fragment). It is removed and the page is still
 *   recorded, as the address anyone without the secret would use.
 * - drop: the path itself is the secret (a password-reset or magic-login link). No address
 *   is left without it, so the URL is not recorded at all, nor any link to it.
 * Credentials (`user:pass@`) and fragments (`#access_token=…`) are stripped by canonicalization
 * itself, which keeps neither.
 */

/** Query parameters stripped wherever they appear (keys compared in lower case). */
const SECRET_PARAMS = new Set([
  // session ids
  'sessionid',
  'session_id',
  'sid',
  'phpsessid',
  'jsessionid',
  'aspsessionid',
  'cftoken',
  // tokens, keys and passwords
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'auth',
  'auth_token',
  'authtoken',
  'apikey',
  'api_key',
  'api-key',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'sig',
  'signature',
  // share keys: Google Drive, Dropbox
  'resourcekey',
  'rlkey',
  // CloudFront signed URLs (Signature is above)
  'key-pair-id',
]);

/** Prefixes of parameters stripped: every part of an AWS or GCS signed URL. */
const SECRET_PREFIXES = ['x-amz-', 'x-goog-'];

/**
 * Parameters that are secret only beside others: alone they are ordinary words (a `state`
 * filter, a `code` snippet, an `expires` date), beside them they complete a credential.
 * - Azure SAS: `sig` (stripped anyway) with its validity fields `se`, `sv`, `sp`, ...
 * - CloudFront: `Signature` with its `Policy` and `Expires`.
 * - OAuth callbacks: `code` and `state` together (RFC 6749 4.1.2), with OpenID's `session_state`.
 */
const SECRET_WITH: ReadonlyArray<{ when: readonly string[]; params: ReadonlySet<string> }> = [
  { when: ['sig'], params: new Set(['se', 'sv', 'st', 'sp', 'sr', 'spr', 'ss', 'srt', 'skoid']) },
  { when: ['signature'], params: new Set(['policy', 'expires']) },
  { when: ['code', 'state'], params: new Set(['code', 'state', 'session_state']) },
];

/**
 * `key` is a search word on some sites (`?key=value`) and an API key on others (Google Maps:
 * `key=AIzaSy…`): stripped only when the value looks generated, see looksGenerated.
 */
const KEY_LIKE_PARAMS = new Set(['key']);

/** A run of letters and digits this long, with a digit or mixed case, is not a word. */
const GENERATED_RUN = /[A-Za-z0-9]{16,}/g;

/**
 * Whether a string holds a generated token: a run of 16 or more letters and digits with a
 * digit in it, or of 20 or more in mixed case. Slugs ("how-to-reset-your-password") and
 * dates are not; hex ids, base64url tokens and UUIDs without dashes are.
 */
export function looksGenerated(text: string): boolean {
  for (const run of text.match(GENERATED_RUN) ?? []) {
    if (/[0-9]/.test(run)) return true;
    if (run.length >= 20 && /[a-z]/.test(run) && /[A-Z]/.test(run)) return true;
  }
  return /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(text);
}

/**
 * Whether a query parameter is a secret. `key` is its decoded lower-case name, `keys` the
 * names of all parameters of the same URL (for the pairs above).
 */
export function isSecretParam(key: string, value: string, keys: ReadonlySet<string>): boolean {
  if (SECRET_PARAMS.has(key) || SECRET_PREFIXES.some((p) => key.startsWith(p))) return true;
  if (KEY_LIKE_PARAMS.has(key)) return looksGenerated(value);
  return SECRET_WITH.some(({ when, params }) => params.has(key) && when.every((k) => keys.has(k)));
}

/** `;jsessionid=…` in a path (Java servlets rewrite URLs so): stripped like the parameter. */
const SESSION_PATH_PARAM = /;(?:jsessionid|phpsessid|sessionid|sid)=[^/;]*/gi;

export function stripPathSecrets(path: string): string {
  return path.includes(';') ? path.replace(SESSION_PATH_PARAM, '') : path;
}

/** Path segments after which anything at all is a one-time login: `/magic-link/…`. */
const LOGIN_SEGMENTS = new Set(['magic-link', 'magic_link', 'magiclink', 'magic-login']);

/**
 * Path segments after which a generated segment is a one-time token: `/reset-password/<token>`,
 * `/verify/<token>`, `/users/confirm/<token>`, and `/login/token/<token>`.
 */
const TOKEN_SEGMENTS = new Set([
  'reset',
  'reset-password',
  'reset_password',
  'resetpassword',
  'password-reset',
  'password_reset',
  'verify',
  'verify-email',
  'verification',
  'confirm',
  'confirmation',
  'confirm-email',
  'activate',
  'activation',
  'unlock',
  'invite',
  'invitation',
]);

/** `token` alone names public pages (`/token/0x1f98…` on a block explorer): only after these. */
const LOGIN_PARENTS = new Set(['login', 'auth', 'signin', 'sign-in', 'session']);

const isTrigger = (s: string, i: number, all: readonly string[]) =>
  TOKEN_SEGMENTS.has(s) ||
  LOGIN_SEGMENTS.has(s) ||
  (s === 'token' && LOGIN_PARENTS.has(all[i - 1] ?? ''));

/** Every keyword above contains one of these (case-insensitive). */
const MAY_BE_SECRET_PATH = /reset|verif|confirm|activat|unlock|invit|magic|token/i;

/**
 * Whether the path of a URL is itself a secret: a magic-login link, or a reset, verify,
 * confirm or activate path with a generated segment after the keyword. Such a URL is not
 * recorded at all. `path` is the URL's pathname as parsed (percent-encoded).
 */
export function isSecretPath(path: string): boolean {
  // Most paths name none of the keywords: one scan instead of splitting every path.
  if (!MAY_BE_SECRET_PATH.test(path)) return false;
  const segments = path.toLowerCase().split('/');
  const at = segments.findIndex(isTrigger);
  if (at === -1) return false;
  const rest = segments.slice(at + 1).filter(Boolean);
  if (rest.length === 0) return false;
  if (segments.slice(at).some((s) => LOGIN_SEGMENTS.has(s))) return true;
  // The original case matters for looksGenerated (mixed case): read the same segments again.
  const original = path.split('/').slice(at + 1);
  return original.some(looksGenerated);
}
