/**
 * One line describing the machine a benchmark ran on (the same wording as the
 * benchmarks' `benchmarks/lib/measure.ts`, so reports and docs/performance.md match).
 */
import * as os from 'node:os';

/** `2 cores (AMD EPYC …), 24 GiB, Node v20.20.2, linux x64`. */
export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} cores (${cpu.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}
