import { Fragment } from 'preact';
import { displayHost } from '../../core/idn';

/**
 * A host as people read it; hovering shows the encoded form stored, when it differs. A line may
 * break before each dot (<wbr>) and after a hyphen, and nowhere else: a narrow table cell split
 * "the-very-long-inte|rnational" mid-label.
 */
export function HostName({ host }: { host: string }) {
  const { text, encoded } = displayHost(host);
  const labels = text.split('.');
  return (
    <span class="host" title={text === encoded ? undefined : encoded}>
      {labels.map((label, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {i > 0 && '.'}
          {label}
        </Fragment>
      ))}
    </span>
  );
}
