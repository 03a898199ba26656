// Port of Python unsync's README "Mixing methods", written with decorated methods: a
// blocking sync method (thread pool), an async continuation and an async aggregator
// (tasks on the loop), chained with `then`. Prints the aggregated results.
import { asUnfuture, inWorker, inspect, run, sleep, unsync } from '../src';
import { SECOND } from './seconds';

export class Mixer {
  @unsync
  static nonAsyncFunction(num: number): [number, number] {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.1 * SECOND); // blocks, like time.sleep
    return [num, num + 1];
  }

  @unsync
  static async resultContinuation([num, res]: [number, number]): Promise<[number, number]> {
    await sleep(0.1 * SECOND);
    return [num, res * 2];
  }

  @unsync
  static async resultProcessor(tasks: Array<PromiseLike<[number, number]>>): Promise<Record<number, number>> {
    const output: Record<number, number> = {};
    for (const task of tasks) {
      const [num, res] = await task;
      output[num] = res;
    }
    return output;
  }
}

async function main(): Promise<void> {
  const chains = Array.from({ length: 10 }, (_, i) =>
    // TypeScript cannot retype a decorated method: asUnfuture gives the Unfuture it returns its type.
    asUnfuture(Mixer.nonAsyncFunction(i)).then(Mixer.resultContinuation),
  );
  console.log(JSON.stringify(await Mixer.resultProcessor(chains)));
  for (const m of [Mixer.nonAsyncFunction, Mixer.resultContinuation, Mixer.resultProcessor]) {
    const { kind, executor } = inspect(m);
    console.log(`${m.name}: ${kind} on ${executor}`);
  }
}

if (!inWorker()) run(main);
