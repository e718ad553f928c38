import { describe, expect, it } from 'vitest';
import {
  JsonShapeError,
  parseJson,
  TopLevelJsonReader,
  type JsonEvent,
  type JsonShapeProblem,
} from '../../src/core/json-stream';

describe('TopLevelJsonReader', () => {
  const readAll = (text: string, size: number, max = 1000): JsonEvent[] => {
    const reader = new TopLevelJsonReader({
      arrays: new Set(['rows']),
      values: new Set(['name']),
      maxValueChars: max,
    });
    const events: JsonEvent[] = [];
    for (let i = 0; i < text.length; i += size)
      events.push(...reader.push(text.slice(i, i + size)));
    events.push(...reader.end());
    return events;
  };
  const problemOf = (text: string): JsonShapeProblem | null => {
    try {
      readAll(text, 3);
      return null;
    } catch (error) {
      return error instanceof JsonShapeError ? error.problem : null;
    }
  };
  const text =
    '\uFEFF{ "skip": {"a": [1, "]}\\"", {}]}, "name" : "x\\"y", "rows": [ {"a":"}"} , [1,2], "s", 12.5e3, null ], "n": -1 }';

  it('hands out chosen values parsed and array elements as text, across any chunk boundary', () => {
    const element = (raw: string, from = 0) => ({
      type: 'element' as const,
      key: 'rows',
      text: raw,
      start: text.indexOf(raw, from),
    });
    const expected: JsonEvent[] = [
      { type: 'value', key: 'name', value: 'x"y' },
      element('{"a":"}"}'),
      element('[1,2]'),
      element('"s"', text.indexOf('"rows"') + 6),
      element('12.5e3'),
      element('null'),
      { type: 'end', key: 'rows' },
    ];
    for (const size of [1, 2, 3, 5, text.length]) expect(readAll(text, size)).toEqual(expected);
  });

  it('reports an element over the cap without keeping it', () => {
    const events = readAll(`{"rows": ["${'x'.repeat(50)}", 1]}`, 8, 20);
    expect(events).toEqual([
      { type: 'oversized', key: 'rows', start: 10 },
      { type: 'element', key: 'rows', text: '1', start: 64 },
      { type: 'end', key: 'rows' },
    ]);
  });

  it('says where the JSON goes wrong, and when it ends too soon', () => {
    expect(() => readAll('{"a" 1}', 100)).toThrow('Expected ":" at character 6');
    expect(() => readAll('{"rows": [1 2]}', 100)).toThrow('Expected "," or "]" at character 13');
    expect(() => readAll('{"rows": [1', 100)).toThrow(/ends before its JSON object/);
  });

  it('names the problem, so each reader can word it for its own people', () => {
    expect(problemOf('')).toBe('empty');
    expect(problemOf(' \n\t')).toBe('empty');
    expect(problemOf('[1, 2]')).toBe('not-an-object');
    expect(problemOf('"text"')).toBe('not-an-object');
    expect(problemOf('12')).toBe('not-an-object');
    expect(problemOf('hello')).toBe('syntax');
    expect(problemOf('{"a": 1} x')).toBe('syntax');
    expect(problemOf('{"rows": [{"a":')).toBe('cut-short');
    expect(problemOf('{"a": 1}')).toBeNull();
  });
});

describe('parseJson', () => {
  it('parses JSON and gives undefined, never a value, for what is not JSON', () => {
    expect(parseJson('{"a":[1,null]}')).toEqual({ a: [1, null] });
    expect(parseJson('null')).toBeNull();
    expect(parseJson('{"broken": tru}')).toBeUndefined();
    expect(parseJson('')).toBeUndefined();
  });
});
