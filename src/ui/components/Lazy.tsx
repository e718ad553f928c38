import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { t, type MessageKey } from '../../core/i18n';

type Loaded<P> =
  | { status: 'loading' }
  | { status: 'ready'; component: ComponentType<P> }
  | { status: 'failed'; message: string };

export interface LazyComponent<P> {
  /** Renders a line while the code loads, the reason in words if it cannot, then the part. */
  Component: ComponentType<P>;
  /** Start loading now (after the first paint), so it is there when first rendered. */
  preload: () => void;
}

/**
 * A part of a screen whose code is not needed for its first paint: its own chunk, loaded by
 * dynamic import at the first render that shows it (or at `preload`), so the screen's entry
 * stays small (ui/boot budget, issue 7). `what` names the part in the loading and error lines.
 * `quiet`: no loading line, for a part that most often shows nothing (it would flash).
 */
export function lazyComponent<P extends object>(
  load: () => Promise<ComponentType<P>>,
  what: MessageKey,
  { quiet = false }: { quiet?: boolean } = {},
): LazyComponent<P> {
  const state = signal<Loaded<P>>({ status: 'loading' });
  let started = false;
  const preload = () => {
    if (started) return;
    started = true;
    load().then(
      (component) => (state.value = { status: 'ready', component }),
      // A chunk that cannot load (the extension was updated under an open page, say): the rest
      // of the screen stands, and this part says why it is missing.
      (error: unknown) =>
        (state.value = {
          status: 'failed',
          message: error instanceof Error ? error.message : String(error),
        }),
    );
  };
  function Lazy(props: P) {
    preload();
    const now = state.value;
    if (now.status === 'ready') {
      const Loaded = now.component;
      return <Loaded {...props} />;
    }
    if (now.status === 'failed') {
      return (
        <p class="lazy error" role="alert" data-lazy-failed>
          {t('lazy_failed', { part: t(what), message: now.message })}
        </p>
      );
    }
    if (quiet) return null;
    return (
      <p class="lazy loading" data-lazy-loading>
        {t('lazy_loading', { part: t(what) })}
      </p>
    );
  }
  return { Component: Lazy, preload };
}
