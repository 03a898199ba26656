/**
 * CPU time and memory of the process pool's child processes, which `process.cpuUsage()`
 * and `process.memoryUsage()` of this process do not include.
 *
 * Read from Linux's `/proc` without touching the worker protocol: the pool lists its
 * children's pids (`childPids()`), and a snapshot reads each child's `/proc/<pid>/stat`
 * (utime + stime, in clock ticks) and `/proc/<pid>/status` (VmHWM, its peak resident
 * size). On other platforms, or for an executor without children, there is nothing to read
 * and the figures are unavailable (`undefined` here, `null` in results), never guessed.
 *
 * A child that exits during a round (crashed, retired, replaced) can no longer be read;
 * its CPU time after the round's first snapshot is recovered from this process's own
 * `cutime + cstime` (the kernel adds a child's CPU there when the child is reaped), and
 * its memory is its last peak seen. A child that starts during the round counts from zero.
 */
import * as fs from 'node:fs';
import type { Executor } from '../executors/executor';

/** One reading of the pool's children. */
export interface ChildSnapshot {
  /** CPU ticks (utime + stime) per live child. */
  readonly ticks: ReadonlyMap<number, number>;
  /** Peak resident bytes (VmHWM) per live child. */
  readonly peakRss: ReadonlyMap<number, number>;
  /** CPU ticks of this process's reaped children (`cutime + cstime`). */
  readonly reapedTicks: number;
}

/** What the children used between two snapshots. */
export interface ChildUsage {
  /** CPU time of the children (ms). */
  readonly cpuMs: number;
  /** Sum over the children seen of each one's peak resident size (bytes). */
  readonly peakRssBytes: number;
}

/** Anything with the process pool's `childPids()` (the harness does not import the pool). */
interface HasChildren {
  childPids(): number[];
}

const AT_CLKTCK = 17; // getauxval(AT_CLKTCK): the unit of /proc/<pid>/stat's times
let ticksPerSecond: number | undefined;

/** A snapshot of `executor`'s children, or undefined when there is nothing to read here. */
export function snapshotChildren(executor: Executor): ChildSnapshot | undefined {
  if (process.platform !== 'linux' || executor.kind !== 'process') return undefined;
  const pool = executor as unknown as Partial<HasChildren>;
  if (typeof pool.childPids !== 'function') return undefined;
  const self = readStat('self');
  if (self === undefined) return undefined; // no /proc (a container without it)
  const ticks = new Map<number, number>();
  const peakRss = new Map<number, number>();
  for (const pid of pool.childPids()) {
    const stat = readStat(String(pid));
    if (stat === undefined) continue; // exited and reaped since the pool listed it
    ticks.set(pid, stat.utime + stat.stime);
    const hwm = readPeakRss(pid);
    if (hwm !== undefined) peakRss.set(pid, hwm);
  }
  return { ticks, peakRss, reapedTicks: self.cutime + self.cstime };
}

/** What the children used from `before` to `after` (see the module comment for children that came or went). */
export function childUsageBetween(before: ChildSnapshot, after: ChildSnapshot): ChildUsage {
  let ticks = after.reapedTicks - before.reapedTicks;
  for (const [pid, t] of after.ticks) ticks += t - (before.ticks.get(pid) ?? 0);
  // A child reaped during the round added its whole life to reapedTicks: take off what
  // it had used before the round began.
  for (const [pid, t] of before.ticks) if (!after.ticks.has(pid)) ticks -= t;
  let peak = 0;
  for (const bytes of after.peakRss.values()) peak += bytes;
  for (const [pid, bytes] of before.peakRss) if (!after.peakRss.has(pid)) peak += bytes;
  return { cpuMs: (Math.max(0, ticks) * 1000) / clockTicksPerSecond(), peakRssBytes: peak };
}

/** The kernel's clock tick rate (`getconf CLK_TCK`), read from this process's auxiliary vector. */
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= readClockTicks() ?? 100; // 100 on every mainstream Linux port, if auxv cannot be read
  return ticksPerSecond;
}

function readClockTicks(): number | undefined {
  let auxv: Buffer;
  try {
    auxv = fs.readFileSync('/proc/self/auxv');
  } catch {
    return undefined;
  }
  // Pairs of native words (type, value), ending with type 0.
  const word = process.arch === 'arm' || process.arch === 'ia32' ? 4 : 8;
  const read = (at: number): number => (word === 8 ? Number(auxv.readBigUInt64LE(at)) : auxv.readUInt32LE(at));
  for (let at = 0; at + 2 * word <= auxv.length; at += 2 * word) {
    const type = read(at);
    if (type === 0) break;
    if (type === AT_CLKTCK) {
      const value = read(at + word);
      return value > 0 ? value : undefined;
    }
  }
  return undefined;
}

/** Fields of `/proc/<pid>/stat` the harness uses (clock ticks). */
function readStat(pid: string): { utime: number; stime: number; cutime: number; cstime: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the
  // last ')'. Then fields[0] is field 3 (state); utime..cstime are fields 14..17.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const at = (field: number): number => Number(fields[field - 3]);
  const stat = { utime: at(14), stime: at(15), cutime: at(16), cstime: at(17) };
  return Object.values(stat).every(Number.isFinite) ? stat : undefined;
}

function readPeakRss(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(text);
  return kb === null ? undefined : Number(kb[1]) * 1024;
}
