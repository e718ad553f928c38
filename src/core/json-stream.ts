/**
 * A JSON object read as a stream of text chunks, one top-level member at a time: the elements
 * of chosen arrays come out one by one as their own JSON text (for JSON.parse), chosen small
 * values come out parsed, everything else is scanned past without being kept. Memory is one
 * element (capped) plus one chunk, whatever the file's size.
 *
 * It only finds where values start and end (strings, escapes, nesting); each element is then
 * parsed by JSON.parse, so a malformed element is one bad row, not a bad file. The one reader
 * of exports: the extension's import (core/import-stream.ts) and the server's ingest
 * (server/src/ingest/export.ts).
 */

/** How the text fails to be one JSON object: each reader words it for its own people. */
export type JsonShapeProblem =
  /** Nothing but whitespace. */
  | 'empty'
  /** A JSON value that is not an object (an array, a string, a number). */
  | 'not-an-object'
  /** Not JSON where the object's structure is (elements themselves are not checked). */
  | 'syntax'
  /** The text ends inside the object. */
  | 'cut-short';

export class JsonShapeError extends Error {
  constructor(
    message: string,
    readonly problem: JsonShapeProblem,
  ) {
    super(message);
  }
}

export type JsonEvent =
  /** A top-level value named in `values`, parsed (undefined if it is not valid JSON). */
  | { type: 'value'; key: string; value: unknown }
  /**
   * One element of a top-level array named in `arrays`, as JSON text; `start` is where it
   * begins, in characters from the beginning of the text (for progress).
   */
  | { type: 'element'; key: string; text: string; start: number }
  /** An element over the size cap: scanned past, not kept. */
  | { type: 'oversized'; key: string; start: number }
  /** The end of a top-level array named in `arrays`. */
  | { type: 'end'; key: string };

/** JSON.parse of one element or value, undefined when it is not JSON (never a parsed value). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const QUOTE = 0x22;
/** A character that can begin a JSON value other than an object: [ " - 0-9 t f n. */
const opensValue = (c: number) =>
  c === 0x5b ||
  c === QUOTE ||
  c === 0x2d ||
  (c >= 0x30 && c <= 0x39) ||
  c === 0x74 ||
  c === 0x66 ||
  c === 0x6e;

/**
 * Where the next backslash of one chunk is, found once and reused: most chunks have none, and
 * searching the rest of a megabyte chunk at every string would make a chunk cost its length
 * times its strings.
 */
class BackslashIndex {
  private at = -2;
  constructor(private readonly s: string) {}
  next(from: number): number {
    if (this.at === -2 || (this.at !== -1 && this.at < from)) this.at = this.s.indexOf('\\', from);
    return this.at;
  }
}

/** Finds where one JSON value ends, across chunks, keeping its text up to a cap. */
class ValueScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  private scalar = false;
  private started = false;
  private pieces: string[] | null;
  private size = 0;
  oversized = false;

  constructor(
    private readonly max: number,
    keep: boolean,
  ) {
    this.pieces = keep ? [] : null;
  }

  /** Scan `s` from `i` (a value's first character, or where the last chunk left off). */
  scan(s: string, i: number, slashes: BackslashIndex): number {
    const start = i;
    let end = -1;
    while (i < s.length) {
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          i++;
          continue;
        }
        // Jump to the next quote or backslash: most of an export is text inside strings.
        const quote = s.indexOf('"', i);
        const slash = slashes.next(i);
        if (quote === -1 && slash === -1) {
          i = s.length;
          break;
        }
        if (slash !== -1 && (quote === -1 || slash < quote)) {
          this.escape = true;
          i = slash + 1;
          continue;
        }
        this.inString = false;
        i = quote + 1;
        if (this.depth === 0) {
          end = i;
          break;
        }
        continue;
      }
      const c = s.charCodeAt(i);
      if (!this.started) {
        this.started = true;
        if (c === 0x7b || c === 0x5b) this.depth = 1;
        else if (c === QUOTE) this.inString = true;
        else this.scalar = true;
        i++;
        continue;
      }
      if (this.scalar) {
        if (c === 0x2c || c === 0x5d || c === 0x7d || isSpace(c)) {
          end = i;
          break;
        }
      } else if (c === QUOTE) {
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        this.depth++;
      } else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) {
        end = i + 1;
        break;
      }
      i++;
    }
    this.keep(s.slice(start, end === -1 ? s.length : end));
    return end;
  }

  private keep(piece: string): void {
    if (!this.pieces) return;
    this.size += piece.length;
    if (this.size > this.max) {
      this.pieces = null;
      this.oversized = true;
    } else {
      this.pieces.push(piece);
    }
  }

  text(): string | null {
    return this.pieces ? this.pieces.join('') : null;
  }
}

type State =
  | 'begin'
  | 'first-key'
  | 'next-key'
  | 'key'
  | 'colon'
  | 'value'
  | 'in-value'
  | 'after-value'
  | 'first-element'
  | 'next-element'
  | 'in-element'
  | 'after-element'
  | 'done';

export interface TopLevelOptions {
  /** Top-level arrays whose elements are handed out one by one. */
  arrays: ReadonlySet<string>;
  /** Top-level values handed out whole (small ones: a format name, a version). */
  values: ReadonlySet<string>;
  /** Longest element or value kept, in characters. */
  maxValueChars: number;
}

export class TopLevelJsonReader {
  private state: State = 'begin';
  private scanner: ValueScanner | null = null;
  private key = '';
  /** Characters read so far, for error messages. */
  private position = 0;

  /** Where the value being read began, in characters from the beginning of the text. */
  private valueStart = 0;

  constructor(private readonly options: TopLevelOptions) {}

  private fail(what: string, at: number, problem: JsonShapeProblem = 'syntax'): never {
    throw new JsonShapeError(`${what} at character ${this.position + at + 1}`, problem);
  }

  private startValue(i: number, keep: boolean, next: State): number {
    this.scanner = new ValueScanner(keep ? this.options.maxValueChars : 0, keep);
    this.valueStart = this.position + i;
    this.state = next;
    return i;
  }

  /** The events of one more chunk of text. */
  push(s: string): JsonEvent[] {
    const out: JsonEvent[] = [];
    const slashes = new BackslashIndex(s);
    let i = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      const waiting =
        this.state !== 'key' && this.state !== 'in-value' && this.state !== 'in-element';
      // A byte order mark may open the file; whitespace separates tokens.
      if (waiting && (isSpace(c) || (c === 0xfeff && this.position + i === 0))) {
        i++;
        continue;
      }
      switch (this.state) {
        case 'begin':
          // Another JSON value (an array, a string, a number) is JSON, just not an object.
          if (c !== 0x7b)
            this.fail(
              'The file is not a JSON object',
              i,
              opensValue(c) ? 'not-an-object' : 'syntax',
            );
          this.state = 'first-key';
          i++;
          break;
        case 'first-key':
        case 'next-key':
          if (c === 0x7d && this.state === 'first-key') {
            this.state = 'done';
            i++;
          } else if (c === QUOTE) {
            i = this.startValue(i, true, 'key');
          } else {
            this.fail('Expected a member name', i);
          }
          break;
        case 'key':
        case 'in-value':
        case 'in-element': {
          const scanner = this.scanner!;
          const end = scanner.scan(s, i, slashes);
          if (end === -1) {
            i = s.length;
            break;
          }
          i = end;
          this.finishValue(scanner, out);
          break;
        }
        case 'colon':
          if (c !== 0x3a) this.fail('Expected ":"', i);
          this.state = 'value';
          i++;
          break;
        case 'value':
          if (c === 0x5b && this.options.arrays.has(this.key)) {
            this.state = 'first-element';
            i++;
          } else {
            i = this.startValue(i, this.options.values.has(this.key), 'in-value');
          }
          break;
        case 'after-value':
          if (c === 0x2c) this.state = 'next-key';
          else if (c === 0x7d) this.state = 'done';
          else this.fail('Expected "," or "}"', i);
          i++;
          break;
        case 'first-element':
          if (c === 0x5d) {
            out.push({ type: 'end', key: this.key });
            this.state = 'after-value';
            i++;
          } else {
            i = this.startValue(i, true, 'in-element');
          }
          break;
        case 'next-element':
          i = this.startValue(i, true, 'in-element');
          break;
        case 'after-element':
          if (c === 0x2c) this.state = 'next-element';
          else if (c === 0x5d) {
            out.push({ type: 'end', key: this.key });
            this.state = 'after-value';
          } else this.fail('Expected "," or "]"', i);
          i++;
          break;
        case 'done':
          this.fail('Unexpected text after the end of the JSON object', i);
      }
    }
    this.position += s.length;
    return out;
  }

  private finishValue(scanner: ValueScanner, out: JsonEvent[]): void {
    const text = scanner.text();
    this.scanner = null;
    if (this.state === 'key') {
      this.key = String(JSON.parse(text ?? '""'));
      this.state = 'colon';
    } else if (this.state === 'in-value') {
      if (text !== null) out.push({ type: 'value', key: this.key, value: parseJson(text) });
      this.state = 'after-value';
    } else {
      const start = this.valueStart;
      out.push(
        text === null
          ? { type: 'oversized', key: this.key, start }
          : { type: 'element', key: this.key, text, start },
      );
      this.state = 'after-element';
    }
  }

  /** The input is over: throws unless the object was complete. */
  end(): JsonEvent[] {
    if (this.state === 'done') return [];
    if (this.state === 'begin') throw new JsonShapeError('The file is empty', 'empty');
    throw new JsonShapeError(
      `The file ends before its JSON object does (character ${this.position})`,
      'cut-short',
    );
  }
}
