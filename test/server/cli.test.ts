import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInfo } from '../../src/core/index-protocol';

const CLI = join(import.meta.dirname, '../../server/src/cli.ts');
const TSX = join(import.meta.dirname, '../../node_modules/.bin/tsx');
const dir = mkdtempSync(join(tmpdir(), 'index-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run index -- <args>` as a child process; resolves with its exit code and output. */
function runCli(
  args: string[],
  env: Record<string, string>,
  onLine?: (line: string, stop: () => void) => void,
) {
  const child = spawn(TSX, [CLI, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  let output = '';
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n')) onLine?.(line, () => child.kill('SIGTERM'));
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
}

describe('npm run index', () => {
  it('serves on PGlite in INDEX_DATA_DIR, answers /v1/info, and stops cleanly on SIGTERM', async () => {
    let info: unknown = null;
    const { code, output } = await runCli(
      ['serve'],
      { INDEX_DATA_DIR: join(dir, 'data'), PORT: '0', INDEX_NAME: 'CLI index' },
      (line, stop) => {
        const url = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
        if (url) {
          void fetch(`${url}/v1/info`)
            .then((r) => r.json())
            .then((json) => (info = json))
            .finally(stop);
        }
      },
    );
    expect(output).toContain('PGlite in');
    expect(parseInfo(info)).toMatchObject({
      name: 'CLI index',
      contributions: false,
      keys: { urls: 0 },
    });
    expect(code).toBe(0);
  }, 300_000);

  it('computes authority on the same data folder', async () => {
    const { code, output } = await runCli(['authority'], { INDEX_DATA_DIR: join(dir, 'data') });
    expect(output).toMatch(/Authority of 0 pages .* stored in/);
    expect(code).toBe(0);
  }, 300_000);

  it('refuses a bad setting with its name, and an unknown command with the list', async () => {
    const bad = await runCli(['serve'], {
      INDEX_TOKENS: 'short',
      INDEX_DATA_DIR: join(dir, 'never'),
    });
    expect([bad.code, bad.output.trim()]).toEqual([
      1,
      'Every contribution token must have at least 16 characters.',
    ]);
    const unknown = await runCli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('serve');
    expect(unknown.output).toContain('authority');
  }, 60_000);
});
