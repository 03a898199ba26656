/**
 * Issue rule "one waiter core", checked on the source text: every blocking primitive parks
 * on `WaiterQueue` (src/core/waiters.ts) and keeps no resolver list of its own. The only
 * futures a primitive makes by hand are Condition's compound wait results (woken, then
 * re-acquire the lock), which park on the queue themselves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const DIR = path.resolve(__dirname, '..', '..', 'src', 'primitives');
const sources = fs
  .readdirSync(DIR)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: fs.readFileSync(path.join(DIR, name), 'utf8') }));

/** Source lines without comments, so a doc comment mentioning a word does not count. */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe('the primitives on one waiter core', () => {
  it.each(['lock.ts', 'semaphore.ts', 'event.ts', 'condition.ts', 'barrier.ts', 'queue.ts'])(
    '%s parks on a WaiterQueue',
    (file) => {
      const source = sources.find((s) => s.name === file);
      expect(source).toBeDefined();
      expect(code(source!.text)).toMatch(/new WaiterQueue</);
    },
  );

  it('never makes a native promise, a resolver list or a hand-made future outside Condition', () => {
    const offenders: string[] = [];
    for (const { name, text } of sources) {
      const body = code(text);
      if (/new Promise\b|Promise\.withResolvers|withResolvers\(/.test(body)) offenders.push(`${name}: native promise`);
      if (/\b\w*(resolve|waiter|callback|getter|putter)\w*\s*(:[^;\n]*)?=\s*(\[|new Array\b)/i.test(body)) {
        offenders.push(`${name}: resolver array`);
      }
      if (name !== 'condition.ts' && /pendingFuture\s*[<(]/.test(body)) offenders.push(`${name}: pendingFuture`);
    }
    expect(offenders).toEqual([]);
  });
});
