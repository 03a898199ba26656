/**
 * The CLI's progress bar (src/cli/progress.ts): drawn on a terminal, silent when stderr is
 * not one or when output must stay machine-readable (`--json`, `--quiet`).
 */
import { PassThrough } from 'node:stream';
import { progressBar } from '../../src/cli/progress';

function fakeStderr(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  stream.isTTY = isTTY;
  stream.columns = 100;
  let text = '';
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, written: () => text };
}

const step = (done: number) => ({ done, total: 4, executor: 'thread' as const, phase: 1 as const });
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('progressBar', () => {
  it('draws the label, the count and the executor on a terminal', async () => {
    const { stream, written } = fakeStderr(true);
    const bar = progressBar('hashPassword', true, stream);
    bar.update(step(1));
    bar.update(step(4));
    bar.stop();
    await flush();
    expect(written()).toMatch(/hashPassword \[.*\] \d+% \| [14]\/4 calls \| thread round 1/);
  });

  it('writes nothing when disabled (--json, --quiet)', async () => {
    const { stream, written } = fakeStderr(true);
    const bar = progressBar('x', false, stream);
    bar.update(step(1));
    bar.stop();
    await flush();
    expect(written()).toBe('');
  });

  it('writes nothing when stderr is not a terminal', async () => {
    const { stream, written } = fakeStderr(false);
    const bar = progressBar('x', true, stream);
    bar.update(step(1));
    bar.stop();
    await flush();
    expect(written()).toBe('');
  });
});
