/**
 * A webextension-polyfill stand-in for unit tests of extension pages and the worker:
 * storage.local held in `storedLocal`, the extension's id and origin, and a permission prompt
 * that answers what `permissionPrompt.grant` says. Use it from a vi.mock factory:
 * `vi.mock('webextension-polyfill', async () => ({ default: (await import('./fake-browser')).fakeBrowser }))`.
 */
export const storedLocal: Record<string, unknown> = {};
export const EXTENSION_ORIGIN = 'chrome-extension://lens/';
export const permissionPrompt = { grant: true, asked: [] as string[][] };

export const fakeBrowser = {
  runtime: { id: 'lens', getURL: (path: string) => `${EXTENSION_ORIGIN}${path}` },
  permissions: {
    request: async ({ origins }: { origins: string[] }) => {
      permissionPrompt.asked.push(origins);
      return permissionPrompt.grant;
    },
  },
  storage: {
    local: {
      get: async (key: string) => ({ [key]: storedLocal[key] }),
      set: async (items: Record<string, unknown>) => void Object.assign(storedLocal, items),
      remove: async (key: string) => void delete storedLocal[key],
    },
  },
};
