import { countLabel } from '../../core/format';
import {
  describeNotes,
  describeRisks,
  SPAM_RULE_LABELS,
  SPAM_RULES,
  type DomainSpam,
  type Flag,
  type FlagEvidence,
  type FlagKind,
  type SpamRuleResult,
} from '../../core/flags';
import type { FlagsState } from '../state';
import { SafeLink } from './SafeLink';

/** Flag names as shown; what each means is in its summary sentence. */
export const FLAG_LABELS: Record<FlagKind, string> = {
  reciprocal: 'Reciprocal links',
  'link-farm': 'Possible link network',
  'link-hub': 'Page linking to very many sites',
  sitewide: 'Sitewide link',
  'paid-undeclared': 'Paid link not declared',
  'paid-declared': 'Declared sponsored link',
  'anchor-over-optimization': 'Too many exact-match anchors',
  burst: 'Burst of new links',
  'spam-signals': 'Spam signals of the linking site',
};

const RISKS_EXPLAINED =
  'Patterns search engines treat as link manipulation, found in the links you have seen while ' +
  'browsing. Each is a risk to look at, not a verdict: the full report lists the links behind each.';

const SPAM_EXPLAINED =
  'Rules that public research ties to sites penalized for spam, checked on the pages of each ' +
  `linking site you visited: ${SPAM_RULES.map((r) => SPAM_RULE_LABELS[r]).join(', ')}. ` +
  'A rule is unknown when its page was recorded before the extension read what it needs.';

function Evidence({ item }: { item: FlagEvidence }) {
  return (
    <li
      class="evidence"
      data-evidence-source={item.source}
      data-evidence-target={item.target}
      data-evidence-note={item.note ?? ''}
      data-evidence-region={item.region ?? ''}
    >
      <SafeLink href={item.source} />
      {item.target && (
        <>
          {' → '}
          <SafeLink href={item.target} />
        </>
      )}
      {item.anchor !== undefined && (
        <>
          {' '}
          <span class="anchor">“{item.anchor}”</span>
        </>
      )}
      {item.region && <span class="badge region">{item.region}</span>}
      {item.rel && item.rel.length > 0 && <span class="badge">{item.rel.join(' ')}</span>}
      {item.note && <span class="note"> {item.note}</span>}
    </li>
  );
}

function ruleState(r: SpamRuleResult): 'fired' | 'clear' | 'unknown' {
  return r.fired === null ? 'unknown' : r.fired ? 'fired' : 'clear';
}

function Rules({ rules }: { rules: SpamRuleResult[] }) {
  return (
    <ul class="spam-rules">
      {rules.map((r) => (
        <li key={r.rule} data-rule={r.rule} data-rule-state={ruleState(r)}>
          <strong>{SPAM_RULE_LABELS[r.rule]}</strong>:{' '}
          {ruleState(r) === 'unknown' ? 'not known yet' : ruleState(r) === 'fired' ? 'yes' : 'no'}{' '}
          <span class="note">({r.detail})</span>
          {r.fired === true &&
            r.pages.map((p) => (
              <span key={p}>
                {' '}
                <SafeLink href={p} />
              </span>
            ))}
        </li>
      ))}
    </ul>
  );
}

function FlagItem({ flag }: { flag: Flag }) {
  const label = flag.domain ? `${FLAG_LABELS[flag.kind]}: ${flag.domain}` : FLAG_LABELS[flag.kind];
  return (
    <li
      class={`flag flag-${flag.severity}`}
      data-flag={flag.kind}
      data-severity={flag.severity}
      data-flag-domain={flag.domain ?? flag.domains?.join(' ') ?? ''}
    >
      <details onKeyDown={closeOnEscape}>
        <summary>
          <strong>{label}</strong> <span class="flag-summary">{flag.summary}</span>
        </summary>
        {flag.rules && <Rules rules={flag.rules} />}
        <p class="note">
          {flag.kind === 'spam-signals'
            ? 'Its links to this page:'
            : countLabel(flag.evidence.length, 'link behind it:', 'links behind it:')}
        </p>
        <ul class="evidence-list">
          {flag.evidence.map((e) => (
            <Evidence item={e} key={`${e.source}|${e.target}|${e.anchor ?? ''}`} />
          ))}
        </ul>
        {flag.more !== undefined && (
          <p class="more">+{countLabel(flag.more, 'more link', 'more links')} not listed</p>
        )}
      </details>
    </li>
  );
}

/** Escape closes an open disclosure from anywhere inside it, back on its summary. */
function closeOnEscape(event: KeyboardEvent): void {
  const details = event.currentTarget as HTMLDetailsElement;
  if (event.key !== 'Escape' || !details.open) return;
  event.preventDefault();
  event.stopPropagation();
  details.open = false;
  details.querySelector('summary')?.focus();
}

function SpamTable({ spam }: { spam: DomainSpam[] }) {
  if (spam.length === 0) return null;
  return (
    <details class="spam-all" onKeyDown={closeOnEscape}>
      <summary title={SPAM_EXPLAINED}>
        Spam rules of every linking site ({countLabel(spam.length, 'site', 'sites')})
      </summary>
      <ul>
        {spam.map((d) => (
          <li
            key={d.domain}
            data-spam-domain={d.domain}
            data-fired={d.fired}
            title={SPAM_EXPLAINED}
          >
            {d.domain}: {d.fired} of {d.rules.length} rules fired
            {d.fired > 0 &&
              ` (${d.rules
                .filter((r) => r.fired)
                .map((r) => SPAM_RULE_LABELS[r.rule])
                .join(', ')})`}
            {d.unknown > 0 && `, ${d.unknown} not known yet`}
          </li>
        ))}
      </ul>
    </details>
  );
}

/**
 * The page's risk flags: a one-line summary with its count (popup), and with `detailed` each
 * flag with the links behind it, opened with a click or the keyboard (report page).
 */
export function Flags({ state, detailed }: { state: FlagsState | null; detailed: boolean }) {
  if (state === null) return <p class="flags status loading">Checking these links for risks…</p>;
  if (state.status === 'error') {
    return <p class="flags status error">Could not check these links for risks: {state.message}</p>;
  }
  const { flags, risks, spam, complete, sitePending } = state.view;
  const notes = describeNotes(flags);
  return (
    <section
      class="flags"
      aria-label="Risks"
      data-risk-count={risks}
      data-site-pending={sitePending ? '' : undefined}
    >
      <p class={risks > 0 ? 'risk-summary risky' : 'risk-summary'} title={RISKS_EXPLAINED}>
        {describeRisks(flags)}
        {!complete && ' Some reads were capped: flags may be missing.'}
        {sitePending && ' Checking the whole site for bursts…'}
      </p>
      {notes !== null && (
        <p class="note" data-note-count={flags.length - risks}>
          {notes}
        </p>
      )}
      {detailed && flags.length > 0 && (
        <ul class="flag-list">
          {flags.map((f, i) => (
            <FlagItem flag={f} key={`${f.kind}|${f.domain ?? i}`} />
          ))}
        </ul>
      )}
      {detailed && <SpamTable spam={spam} />}
    </section>
  );
}
