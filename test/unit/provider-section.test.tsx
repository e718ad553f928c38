// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount } from '../support/mount';
import { PROVIDERS_KEY } from '../../src/sources/providers/settings';
import { storedLocal as local } from './fake-browser';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));

const model = await import('../../src/ui/providers-model');
const { ProvidersSection } = await import('../../src/ui/components/Providers');

const KEY = 'majestic-key-Lm4Nb5Vc6';

beforeEach(() => {
  for (const key of Object.keys(local)) delete local[key];
  model.providerConfigs.value = [];
  model.providersNotice.value = null;
  model.chosenProvider.value = 'majestic';
});
afterEach(() => {
  document.body.innerHTML = '';
});

describe('the section', () => {
  it('labels every control, offers the secret only where a service has one', async () => {
    const root = mount(<ProvidersSection />);
    const labelled = (id: string) => root.querySelector(`label[for="${id}"]`)?.textContent;
    expect(labelled('provider-choice')).toBe('Service');
    expect(labelled('provider-key')).toBe('API key');
    expect(root.querySelector('#provider-secret')).toBeNull();
    expect(root.querySelector('#providers-privacy')?.textContent).toContain('never in an export');
    model.chosenProvider.value = 'dataforseo';
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(labelled('provider-key')).toBe('API login');
    expect(labelled('provider-secret')).toBe('API password');
  });

  it('lists an added provider without showing its key', async () => {
    local[PROVIDERS_KEY] = {
      majestic: { credentials: { key: KEY }, enabled: true },
    };
    const root = mount(<ProvidersSection />);
    await model.loadProvidersSection();
    await new Promise((r) => setTimeout(r, 0));
    const item = root.querySelector('[data-provider="majestic"]')!;
    expect(item.textContent).toContain('Majestic');
    expect(item.querySelector('#provider-test-majestic')?.getAttribute('aria-label')).toBe(
      'Test key of Majestic',
    );
    expect(root.innerHTML).not.toContain(KEY);
  });
});
