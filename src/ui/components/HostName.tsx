import { displayHost } from '../../core/idn';

/**
 * Names longer than this may break before their dots; shorter ones fit the narrowest cell that
 * shows one (the report table's 8em), and stay one text node: a table of hundreds of rows.
 */
const BREAKABLE_FROM = 17;

/**
 * A host as people read it; hovering shows the encoded form stored, when it differs. A long one
 * may break before each dot (<wbr>) and after a hyphen, and nowhere else: a narrow table cell
 * split "the-very-long-inte|rnational" mid-label.
 */
export function HostName({ host }: { host: string }) {
  const { text, encoded } = displayHost(host);
  return (
    <span class="host" title={text === encoded ? undefined : encoded}>
      {text.length >= BREAKABLE_FROM
        ? text.split('.').flatMap((label, i) => (i === 0 ? [label] : [<wbr />, `.${label}`]))
        : text}
    </span>
  );
}
