/**
 * Counts in words. English for now; the plural category comes from Intl.PluralRules so that a
 * later translation only has to supply its own forms (some languages have more than two).
 */
const rules = new Intl.PluralRules('en');

/** The word form that goes with `n`: plural(1, 'link', 'links') → 'link'. */
export function plural(n: number, one: string, other: string): string {
  return rules.select(n) === 'one' ? one : other;
}

/** `n` with its word: countLabel(1, 'link', 'links') → '1 link', and '2 links'. */
export function countLabel(n: number, one: string, other: string): string {
  return `${n} ${plural(n, one, other)}`;
}
