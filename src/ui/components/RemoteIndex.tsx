import { choosePrefixLength, expectedBucketSize } from '../../core/index-protocol';
import {
  MAX_DECOYS,
  MAX_K,
  MIN_K,
  type RemoteIndexSettings,
} from '../../core/remote-index-settings';
import { useEffect } from 'preact/hooks';
import { REMOTE_CACHE_TTL } from '../../storage/remote-cache';
import { Contribute } from './Contribute';
import {
  addIndex,
  loadRemoteIndexSection,
  refreshInfo,
  remoteIndex,
  remoteNotice,
  removeIndex,
  setDecoys,
  setEnabled,
  setK,
  tokenInput,
  urlInput,
} from '../remote-index-model';

const number = (n: number) => n.toLocaleString('en');

/** Loopback addresses never cross a network: http is fine there, nowhere else. */
const isPlainHttp = (url: string) =>
  url.startsWith('http:') && !/^http:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:|\/|$)/.test(url);

/** What the index is, and in plain words what it sees of the user. */
function IndexInfoView({ index }: { index: RemoteIndexSettings }) {
  const { info } = index;
  const length = choosePrefixLength(info, index.k);
  const bucket = expectedBucketSize(info, length);
  const bucketText = bucket >= 10 ? number(Math.round(bucket)) : bucket.toFixed(1);
  return (
    <div id="remote-index-info" data-index-name={info.name} data-prefix-length={length}>
      <p>
        <strong>{info.name}</strong> at <code>{index.url}</code>: {number(info.keys.urls)} pages,{' '}
        {number(info.keys.domains)} sites and {number(info.links)} links
        {info.updatedAt ? `, updated ${new Date(info.updatedAt).toLocaleString()}` : ''}.
      </p>
      <p class="explain">
        What the index sees: when you open the popup or the full report of a page, the extension
        sends it the first {length} characters of the page's SHA-256 hash, never its address. That
        bucket holds about {bucketText} of the pages the index knows; the index sends them all and
        the extension keeps the one that matches. The index also sees your IP address and when you
        open the popup. Nothing is sent when pages load, and nothing you browse is sent to it.
      </p>
      {bucket < index.k && (
        <p class="error" data-small-index>
          This index is small: a bucket holds fewer than {index.k} pages, so the index could guess
          which page you opened.
        </p>
      )}
      {isPlainHttp(index.url) && (
        <p class="error" data-plain-http>
          This address is not encrypted (http): others on the network can see the hash prefixes
          {index.token ? ' and your token' : ''}.
        </p>
      )}
      <p>
        Contributions:{' '}
        {info.contributions
          ? 'the index accepts links from its users, but this version of the extension sends none.'
          : 'the index does not accept any.'}
      </p>
    </div>
  );
}

function Configured({ index }: { index: RemoteIndexSettings }) {
  return (
    <>
      <IndexInfoView index={index} />
      <label>
        <input
          id="remote-index-enabled"
          type="checkbox"
          checked={index.enabled}
          onChange={(e) => void setEnabled(e.currentTarget.checked)}
        />{' '}
        Ask this index when I open the popup or the report
      </label>
      <Contribute index={index} />
      <p>
        <label>
          Privacy: hide each page among at least{' '}
          <input
            id="remote-index-k"
            type="number"
            min={MIN_K}
            max={MAX_K}
            value={index.k}
            onChange={(e) => void setK(e.currentTarget.valueAsNumber)}
          />{' '}
          pages of the index (k)
        </label>
      </p>
      <p>
        <label>
          Also ask for{' '}
          <input
            id="remote-index-decoys"
            type="number"
            min={0}
            max={MAX_DECOYS}
            value={index.decoys}
            onChange={(e) => void setDecoys(e.currentTarget.valueAsNumber)}
          />{' '}
          decoy buckets with each lookup (more requests; the index cannot tell which one you wanted)
        </label>
      </p>
      <div class="actions">
        <button id="remote-index-refresh" onClick={() => void refreshInfo()}>
          Read the index again
        </button>
        <button id="remote-index-remove" onClick={() => void removeIndex()}>
          Remove the index
        </button>
      </div>
    </>
  );
}

function AddForm() {
  return (
    <>
      <p>
        Off. A remote index shows links from pages you never visited. Lookups are private: only a
        short prefix of the page's hash is sent, and only when you open the popup or the report.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void addIndex();
        }}
      >
        <input
          id="remote-index-url"
          placeholder="https://index.example.org"
          aria-label="Index address"
          value={urlInput.value}
          onInput={(e) => (urlInput.value = e.currentTarget.value)}
        />{' '}
        <input
          id="remote-index-token"
          type="password"
          placeholder="Token (if the index needs one)"
          aria-label="Token"
          autocomplete="off"
          value={tokenInput.value}
          onInput={(e) => (tokenInput.value = e.currentTarget.value)}
        />{' '}
        <button id="remote-index-add" type="submit">
          Add index
        </button>
      </form>
    </>
  );
}

/** The options page's "Remote index" section: off until the user adds one. */
export function RemoteIndexSection() {
  const index = remoteIndex.value;
  const notice = remoteNotice.value;
  useEffect(() => {
    loadRemoteIndexSection().catch((error: unknown) => {
      remoteNotice.value = {
        text: `Could not read the remote index settings: ${String(error)}`,
        error: true,
      };
    });
  }, []);
  return (
    <fieldset id="remote-index">
      <legend>Remote index</legend>
      {notice && (
        <p id="remote-index-notice" class={notice.error ? 'error' : ''} role="status">
          {notice.text}
        </p>
      )}
      {index ? <Configured index={index} /> : <AddForm />}
      {index && (
        <p class="note">
          Answers are kept on this machine for {REMOTE_CACHE_TTL / 3_600_000} hours and deleted with
          the index.
        </p>
      )}
    </fieldset>
  );
}
