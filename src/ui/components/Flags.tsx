import { t, tn } from '../../core/i18n';
import type { DomainSpam, Flag, FlagEvidence, SpamRuleResult } from '../../core/flags';
import {
  describeNotes,
  describeRisks,
  flagLabel,
  spamRuleLabel,
  SPAM_RULES,
} from '../../core/flag-counts';
import { freshnessLabel } from '../../core/authority-view';
import type { FlagsState } from '../state';
import { useAfterPaint } from '../after-paint';
import { memo } from '../memo';
import { SafeLink } from './SafeLink';

const spamExplained = () =>
  t('spam_explained', { rules: SPAM_RULES.map(spamRuleLabel).join(', ') });

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

const RULE_STATE = { unknown: 'rule_unknown', fired: 'rule_yes', clear: 'rule_no' } as const;

function ruleState(r: SpamRuleResult): 'fired' | 'clear' | 'unknown' {
  return r.fired === null ? 'unknown' : r.fired ? 'fired' : 'clear';
}

function Rules({ rules }: { rules: SpamRuleResult[] }) {
  return (
    <ul class="spam-rules">
      {rules.map((r) => (
        <li key={r.rule} data-rule={r.rule} data-rule-state={ruleState(r)}>
          <strong>{spamRuleLabel(r.rule)}</strong>: {t(RULE_STATE[ruleState(r)])}{' '}
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

/** Rendered again only for another flag: the first screen's are not when the rest come. */
const FlagItem = memo(function FlagItem({ flag }: { flag: Flag }) {
  const label = flag.domain
    ? t('flag_label_domain', { label: flagLabel(flag.kind), domain: flag.domain })
    : flagLabel(flag.kind);
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
            ? t('flag_its_links')
            : tn('flag_links_behind', flag.evidence.length)}
        </p>
        <ul class="evidence-list">
          {flag.evidence.map((e) => (
            <Evidence item={e} key={`${e.source}|${e.target}|${e.anchor ?? ''}`} />
          ))}
        </ul>
        {flag.more !== undefined && <p class="more">{tn('flag_more', flag.more)}</p>}
      </details>
    </li>
  );
});

/** A flag's least height in px: its one-line summary, padding and margins (styles.css, .flag). */
const MIN_FLAG_PX = 24;

/**
 * Each flag with its evidence, then every linking site's spam rules. A page with 5,000 links
 * can have a thousand flags (sitewide links from each site): rendered at once, with 5,140 links
 * of evidence, they were one task of 0.9 s at load 20 before any showed (test/bench/quality.ts).
 * The first screen's flags come with the flags, the others and the spam rules after a paint
 * (as the table's rows), marked `data-flags-pending` until then. Added 100 a paint, the whole
 * list took 4x as long as at once (12 s against 4.3, load 20): each step waited for a frame
 * behind the page's other work.
 */
function FlagList({ flags, spam }: { flags: Flag[]; spam: DomainSpam[] }) {
  const shown = useAfterPaint(Math.ceil(innerHeight / MIN_FLAG_PX), flags.length);
  const whole = shown === flags.length;
  return (
    <>
      <ul class="flag-list" data-flags-pending={whole ? undefined : ''}>
        {flags.slice(0, shown).map((f, i) => (
          <FlagItem flag={f} key={`${f.kind}|${f.domain ?? i}`} />
        ))}
      </ul>
      {whole && <SpamTable spam={spam} />}
    </>
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
      <summary title={spamExplained()}>{tn('spam_all', spam.length)}</summary>
      <ul>
        {spam.map((d) => (
          <li
            key={d.domain}
            data-spam-domain={d.domain}
            data-fired={d.fired}
            title={spamExplained()}
          >
            {t('spam_domain', { domain: d.domain, fired: d.fired, total: d.rules.length })}
            {d.fired > 0 &&
              ` (${d.rules
                .filter((r) => r.fired)
                .map((r) => spamRuleLabel(r.rule))
                .join(', ')})`}
            {d.unknown > 0 && t('spam_domain_unknown', { count: d.unknown })}
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
  if (state === null) return <p class="flags status loading">{t('flags_checking')}</p>;
  if (state.status === 'error') {
    return <p class="flags status error">{t('flags_error', { message: state.message })}</p>;
  }
  const { flags, counts, spam, complete, sitePending, building, stored } = state.view;
  const { risks } = counts;
  const notes = describeNotes(counts);
  return (
    <section
      class="flags"
      aria-label={t('flags_label')}
      data-risk-count={risks}
      data-site-pending={sitePending ? '' : undefined}
      data-risk-stored={stored ? (stored.current ? 'current' : 'stale') : undefined}
    >
      <p class={risks > 0 ? 'risk-summary risky' : 'risk-summary'} title={t('risks_explained')}>
        {describeRisks(counts)}
        {!complete && ` ${t('flags_capped')}`}
        {sitePending && ` ${t('flags_site_pending')}`}
        {/* A stored line that links changed under: said, with its age, until the new one is in. */}
        {stored && !stored.current && (
          <span class="note">
            {' '}
            {t('flags_stored_stale', { age: freshnessLabel(stored.computedAt, Date.now()) })}
          </span>
        )}
      </p>
      {notes !== null && (
        <p class="note" data-note-count={counts.kinds['paid-declared']}>
          {notes}
        </p>
      )}
      {/* The line is shown from the counts; the flags and their evidence follow at once. */}
      {detailed && building && <p class="flags status loading">{t('flags_checking')}</p>}
      {/* Mounted with the first flags: shown with the stored line's none, it had painted. */}
      {detailed &&
        (flags.length > 0 ? <FlagList flags={flags} spam={spam} /> : <SpamTable spam={spam} />)}
    </section>
  );
}
