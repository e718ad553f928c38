import { displayHost } from '../../core/idn';

/** A host as people read it; hovering shows the encoded form stored, when it differs. */
export function HostName({ host }: { host: string }) {
  const { text, encoded } = displayHost(host);
  return (
    <span class="host" title={text === encoded ? undefined : encoded}>
      {text}
    </span>
  );
}
