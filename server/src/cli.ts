/**
 * `npm run index -- <command>`: the index server's commands, one line each in COMMANDS.
 * A failure prints its message (no stack for a known error) and exits non-zero.
 */
import './messages';
import { ConfigError, readConfig } from './config';
import { openDb } from './db';
import { computeAuthority } from './authority';
import { ingestCommand } from './ingest/ingest';
import { migrate } from './schema';
import { serveCommand } from './serve';

interface Command {
  summary: string;
  run(args: string[]): Promise<void>;
}

async function authorityCommand(): Promise<void> {
  const config = readConfig();
  const db = await openDb(config);
  try {
    await migrate(db);
    const started = performance.now();
    const result = await computeAuthority(db);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `Authority of ${result.pages} pages (${result.iterations.pages} iterations) and ` +
        `${result.domains} domains (${result.iterations.domains}) stored in ${seconds} s.`,
    );
  } finally {
    await db.close();
  }
}

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'serve the index API (HOST, PORT, INDEX_DATA_DIR or DATABASE_URL)',
    run: serveCommand,
  },
  ingest: {
    summary: 'read WAT files and Backlink Lens exports into the index ([--batch N] FILE...)',
    run: ingestCommand,
  },
  authority: {
    summary: 'compute page and domain authority over the indexed graph',
    run: authorityCommand,
  },
};

async function main([name, ...args]: string[]): Promise<void> {
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    const list = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
    console.error(`Usage: npm run index -- <command>\n${list.join('\n')}`);
    process.exitCode = name === undefined || name === 'help' ? 0 : 2;
    return;
  }
  await command.run(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
