/**
 * The state analysis behind `'auto'` (decorators/state-analysis.ts, module-facts.ts):
 * a function a worker would run differently stays on the loop, says why with the line, and
 * an explicit executor still goes where it was told. The labelled set is in inspect.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect, shutdown } from '../../src';
import { forgetEvidence, recordCall } from '../../decorators/evidence';
import { moduleFacts } from '../../decorators/module-facts';
import { decoratedInfo } from '../../decorators/decorated';
import * as S from '../fixtures/auto-stateful';

const fixture = require.resolve('../fixtures/auto-stateful');
const helperModule = require.resolve('../fixtures/auto-state');
/** 1-based line of the first line of `file` containing `text`. */
const lineOf = (file: string, text: string): number => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-state-'));
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one\ntwo\nthree');
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await shutdown();
});

describe("'auto' and state a worker would not share", () => {
  it('names the variable, its line and the fix', () => {
    expect(inspect(S.countLines).reason).toBe(
      `it stays on the loop because it changes module variable \`hits\` (auto-stateful.ts:${lineOf(fixture, 'let hits')}): a worker would change its own copy, not the caller's. ` +
        "To let 'auto' move it, pass what it reads as arguments and return what it changes; an explicit `executor` still sends it where you say",
    );
    expect(inspect(S.readFromRoot).reason).toContain(
      `reads module object \`config\` (auto-stateful.ts:${lineOf(fixture, 'const config')}), which \`configure\` changes after load (auto-stateful.ts:${lineOf(fixture, 'config.root = root')})`,
    );
  });

  it('follows helpers into imported project modules, with their lines', () => {
    expect(inspect(S.recordVisit).reason).toContain(
      `calls \`visit\` (auto-state.ts:${lineOf(helperModule, 'export function visit')}), which changes module variable \`visits\` (auto-state.ts:${lineOf(helperModule, 'export let visits')})`,
    );
    expect(inspect(S.digest).reason).toBe(
      `its source calls \`checksum\` (auto-state.ts:${lineOf(helperModule, 'export function checksum')}), which is compute-shaped: it loops without awaiting or doing I/O, so it runs on the thread pool`,
    );
  });

  it('runs a stateful function on the loop, where it sees the state start-up set', async () => {
    S.configure(dir);
    const read = S.readFromRoot('a.txt');
    expect(read.executor).toBe('loop');
    expect(await read).toBe('one\ntwo\nthree');
    const before = S.hitCount();
    const counted = S.countLines(path.join(dir, 'a.txt'));
    expect([counted.executor, await counted, S.hitCount()]).toEqual(['loop', 3, before + 1]);
  });

  it('still sends a stateful function where an explicit executor says (the worker counts in its own copy)', async () => {
    const before = S.hitCount();
    const call = S.countLinesOnThread(path.join(dir, 'a.txt'));
    expect(call.executor).toBe('thread');
    expect(await call).toMatch(/^3:\d+@worker$/);
    expect(S.hitCount()).toBe(before);
  });

  it('keeps it on the loop even when measurement says it is slow', () => {
    const original = decoratedInfo(S.countLines)!.original;
    try {
      recordCall(original, 'loop', 80); // one call that blocked the loop: measurement says "move it"
      const verdict = inspect(S.countLines);
      expect([verdict.executor, verdict.rule]).toEqual(['loop', 'state']);
    } finally {
      forgetEvidence(original);
    }
  });

  it('moves a function that reads only constants and its arguments', async () => {
    const call = S.wordCount(path.join(dir, 'a.txt'));
    expect(call.executor).toBe('thread');
    expect(await call).toBe(3);
  });
});

describe('moduleFacts', () => {
  it('reads a module once and knows its bindings and what changes them after load', () => {
    const facts = moduleFacts(fixture)!;
    expect(moduleFacts(fixture)).toBe(facts);
    expect(facts.bindings.get('hits')).toMatchObject({ kind: 'let', line: lineOf(fixture, 'let hits') });
    expect(facts.bindings.get('config')?.kind).toBe('const');
    expect(facts.mutated.get('config')).toEqual({ line: lineOf(fixture, 'config.root = root'), by: '`configure`' });
    expect(facts.mutated.has('SEPARATOR')).toBe(false);
    expect(facts.bindings.get('checksum')?.from).toEqual({ specifier: './auto-state', imported: 'checksum', file: helperModule });
  });

  it('knows nothing of a file it cannot read', () => {
    expect(moduleFacts(path.join(os.tmpdir(), 'no-such-unsync-module.ts'))).toBeUndefined();
  });
});
