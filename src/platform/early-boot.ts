/**
 * The popup's and report page's first script (issue 7): a classic script with no imports,
 * which the parser runs before the pages' modules are fetched and compiled, and which starts
 * what their first read waits for: the database connection, the settings and, in the popup, the
 * active tab. The modules take these over through platform/early-start.ts. vite.config.ts
 * builds it as its own entry and puts it in both pages' HTML (data-active-tab on the popup's).
 *
 * Nothing here may import at run time (a classic script cannot); types only.
 */
import type { EarlyStart } from './early-start';

// All in a function: a classic script's top-level names would be the page's globals.
(() => {
  /** storage/db.ts#DB_NAME: getDb checks the connection's name and version before using it. */
  const DB_NAME = 'backlink-lens';

  /**
   * The database at its current version, with no version asked: the migrations are in the
   * modules. A database that does not exist yet is not created here (an empty version 1 would be
   * left for the migrations to build from the start): the upgrade is aborted and null given.
   * Contract: resolves, never rejects; a connection another page needs closed is closed.
   */
  function openCurrent(early: EarlyStart): Promise<IDBDatabase | null> {
    return new Promise((resolve) => {
      const request = indexedDB.open(DB_NAME);
      request.onupgradeneeded = () => request.transaction?.abort();
      request.onerror = () => resolve(null);
      request.onsuccess = () => {
        const db = request.result;
        // Until getDb takes it: a newer version elsewhere must not wait on this page.
        db.onversionchange = () => {
          db.close();
          early.closed = true;
        };
        db.onclose = () => (early.closed = true);
        resolve(db);
      };
    });
  }

  /** Marks for test/bench/boot.ts: where the page stood when each early step ended. */
  const mark = (name: string) => () => void performance.mark(`bl:${name}`);

  /**
   * The worker's first view of the popup's tab (core/first-view.ts#firstViewKey: the key is
   * spelled here too, a classic script imports nothing): ?url=&tab= names the tab (tests,
   * benches), else it is the active one. undefined when storage.session has none or is missing
   * (a Firefox before 115).
   */
  function firstViewOf(api: typeof chrome, tab: EarlyStart['tab']): Promise<unknown> {
    const query = new URLSearchParams(globalThis.location?.search);
    const named = query.get('url') && query.get('tab') !== null ? Number(query.get('tab')) : null;
    const session = api.storage.session as chrome.storage.StorageArea | undefined;
    return (named !== null ? Promise.resolve(named) : tab!.then((t) => t?.id)).then((id) => {
      if (id === undefined || !session) return undefined;
      const key = `firstView:${id}`;
      return session.get(key).then((stored) => stored[key]);
    });
  }

  function startEarly(): EarlyStart {
    const early: EarlyStart = { closed: false };
    try {
      mark('early')();
      // Firefox's `browser` and Chrome's MV3 `chrome` both answer with promises.
      const api = (globalThis as { browser?: typeof chrome }).browser ?? chrome;
      early.db = openCurrent(early);
      void early.db.then(mark('early-db'));
      // With the settings, in the same get, the hint of which pages have an aggregate
      // (core/hot-targets.ts#HOT_TARGETS_KEY): set before the settings are given, so the first
      // read, which waits for them, has it.
      early.settings = api.storage.local.get(['settings', 'hot-targets']).then((stored) => {
        early.hotTargets = stored['hot-targets'];
        return stored.settings;
      });
      // Taken or not, a failure here is shown where the module asks again.
      early.settings.then(mark('early-settings'), () => undefined);
      if (document.currentScript?.hasAttribute('data-active-tab')) {
        early.tab = api.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab);
        early.tab.catch(() => undefined);
        early.firstView = firstViewOf(api, early.tab);
        early.firstView.then(mark('early-first-view'), () => undefined);
      }
    } catch {
      // No IndexedDB or no extension API here (a page opened outside the extension): the modules
      // ask for themselves.
    }
    return early;
  }

  globalThis.__backlinkLensEarly = startEarly();
})();
