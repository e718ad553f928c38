/**
 * Ingest progress for a person watching: on a terminal one line redrawn in place (a bar of bytes
 * read, records/s, counts); elsewhere (a log, CI) a plain line every few seconds.
 */

export interface ProgressState {
  file: string;
  bytes: number;
  totalBytes: number;
  records: number;
  pages: number;
  links: number;
  skipped: number;
}

export interface ProgressSink {
  update(state: ProgressState): void;
  /** The file is done: the last state stays on screen. */
  done(state: ProgressState): void;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;
const TTY_INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 5_000;

const count = (n: number) => n.toLocaleString('en-US');
const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function fraction(state: ProgressState): number {
  return state.totalBytes > 0 ? Math.min(1, state.bytes / state.totalBytes) : 0;
}

/** The figures of one progress line: share read, rate, counts. */
export function progressFigures(state: ProgressState, seconds: number): string {
  const rate = seconds > 0 ? Math.round(state.records / seconds) : 0;
  return (
    `${Math.floor(fraction(state) * 100)}% of ${megabytes(state.totalBytes)} MB, ` +
    `${count(rate)} records/s, ${count(state.pages)} pages, ${count(state.links)} links, ` +
    `${count(state.skipped)} skipped`
  );
}

/** A bar of BAR_WIDTH cells for the share of bytes read. */
export function progressBar(share: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

export function progressReporter(
  out: ProgressOutput,
  clock: () => number = () => performance.now(),
): ProgressSink {
  let started = clock();
  let last = -Infinity;
  let file = '';
  const line = (state: ProgressState) => {
    const seconds = (clock() - started) / 1000;
    return out.isTTY
      ? `${state.file} ${progressBar(fraction(state))} ${progressFigures(state, seconds)}`
      : `${state.file}: ${progressFigures(state, seconds)}`;
  };
  const draw = (text: string) => {
    // Cut to the terminal's width: a wrapped line cannot be redrawn in place.
    const width = out.columns ?? 120;
    out.write(`\r${text.slice(0, width - 1).padEnd(width - 1)}`);
  };
  return {
    update(state) {
      if (state.file !== file) {
        file = state.file;
        started = clock();
        last = -Infinity;
      }
      const now = clock();
      if (now - last < (out.isTTY ? TTY_INTERVAL_MS : LOG_INTERVAL_MS)) return;
      last = now;
      if (out.isTTY) draw(line(state));
      else out.write(`${line(state)}\n`);
    },
    done(state) {
      if (out.isTTY) {
        draw(line(state));
        out.write('\n');
      } else {
        out.write(`${line(state)}\n`);
      }
      file = '';
    },
  };
}
