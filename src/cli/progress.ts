/**
 * The CLI's progress bar (cli-progress on stderr). Quiet, a no-op, when stderr is not a
 * terminal or output must stay machine-readable (`--json`, `--quiet`).
 */
import { SingleBar, Presets } from 'cli-progress';
import type { BenchProgress } from '../bench/options';

/** A progress sink: `update` per finished call, `stop` at the end. */
export interface Progress {
  update(p: BenchProgress): void;
  stop(): void;
}

/** A bar titled `label`, or a silent sink when `enabled` is false or stderr is no TTY. */
export function progressBar(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || stream.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} calls | {executor} {phase}`,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const phase = p.phase === 'warmup' ? 'warm-up' : `round ${p.phase}`;
      if (!started) {
        bar.start(p.total, 0, { executor: p.executor, phase });
        started = true;
      }
      bar.update(p.done, { executor: p.executor, phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
