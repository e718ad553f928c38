import { createElement, type FunctionComponent } from 'preact';

/** Whether two props objects hold the same values (===) under the same keys. */
export function sameProps(a: object, b: object): boolean {
  const before = a as Record<string, unknown>;
  const after = b as Record<string, unknown>;
  const keys = Object.keys(before);
  return (
    keys.length === Object.keys(after).length &&
    keys.every((key) => key in after && before[key] === after[key])
  );
}

/**
 * `render` rendered again only when one of its props changed (===), or its own state did:
 * preact/compat's memo without compat, which patches every vnode the page makes. The popup
 * renders again on each signal it reads (the arrival line, the stored risk line, a notice);
 * its groups of rows need not.
 */
export function memo<P extends object>(render: FunctionComponent<P>): FunctionComponent<P> {
  function Memo(this: { props: P; shouldComponentUpdate?: (next: P) => boolean }, props: P) {
    this.shouldComponentUpdate ??= function (this: { props: P }, next: P) {
      return !sameProps(this.props, next);
    };
    return createElement(render, props);
  }
  Memo.displayName = `Memo(${render.displayName ?? render.name})`;
  return Memo;
}
