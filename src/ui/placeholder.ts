/**
 * An input's placeholder, with a width that shows it whole in any language: fixed widths cut
 * the longer ones ("im Anker oder auf der Seite" in 10em, "Token (if the index needs one)").
 * In ch (the width of a digit), two more than its letters: most letters are narrower than a
 * digit. A CSS min-width still applies, and it never grows wider than its container.
 */
export function fittedPlaceholder(text: string): {
  placeholder: string;
  style: { width: string; maxWidth: string };
} {
  return { placeholder: text, style: { width: `${text.length + 2}ch`, maxWidth: '100%' } };
}
