/**
 * The process pool's children's CPU time and memory (src/bench/child-usage.ts): the
 * arithmetic on hand-made snapshots, and real readings of this process through /proc.
 */
import { execFileSync } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { childUsageBetween, clockTicksPerSecond, snapshotChildren, type ChildSnapshot } from '../../src/bench/child-usage';
import type { Executor } from '../../src/executors/executor';

const snapshot = (ticks: Record<number, number>, peakMiB: Record<number, number>, reapedTicks: number): ChildSnapshot => ({
  ticks: new Map(Object.entries(ticks).map(([pid, t]) => [Number(pid), t])),
  peakRss: new Map(Object.entries(peakMiB).map(([pid, m]) => [Number(pid), m * 2 ** 20])),
  reapedTicks,
});

const poolOf = (pids: number[], kind: Executor['kind'] = 'process'): Executor => ({ kind, childPids: () => pids }) as unknown as Executor;

describe('childUsageBetween', () => {
  it('sums what each child that lived through the round used', () => {
    const u = childUsageBetween(snapshot({ 10: 100, 11: 50 }, { 10: 40, 11: 45 }, 0), snapshot({ 10: 130, 11: 70 }, { 10: 42, 11: 45 }, 0));
    expect(u.cpuMs).toBe((30 + 20) * (1000 / clockTicksPerSecond()));
    expect(u.peakRssBytes).toBe(87 * 2 ** 20);
  });

  it('counts a child that started during the round from zero, and one that exited through the reaped-children total', () => {
    // 11 exited after using 50 ticks in all, 20 of them before the round: the kernel added 50 to the reaped total.
    const u = childUsageBetween(snapshot({ 10: 100, 11: 20 }, { 10: 40, 11: 45 }, 7), snapshot({ 10: 110, 12: 5 }, { 10: 40, 12: 30 }, 57));
    expect(u.cpuMs).toBe((10 + 5 + 30) * (1000 / clockTicksPerSecond()));
    expect(u.peakRssBytes).toBe((40 + 30 + 45) * 2 ** 20);
  });
});

describe('snapshotChildren', () => {
  it('reads the clock tick rate getconf reports', () => {
    expect(clockTicksPerSecond()).toBe(Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()));
  });

  it('reads a process\'s CPU ticks and peak memory from /proc', () => {
    const before = snapshotChildren(poolOf([process.pid]))!;
    pbkdf2Sync('pw', 'salt', 300_000, 32, 'sha256'); // tens of ms of CPU: several ticks
    const after = snapshotChildren(poolOf([process.pid]))!;
    expect(after.ticks.get(process.pid)!).toBeGreaterThan(before.ticks.get(process.pid)!);
    expect(after.peakRss.get(process.pid)!).toBeGreaterThanOrEqual(process.memoryUsage.rss() * 0.5);
    expect(childUsageBetween(before, after).cpuMs).toBeGreaterThan(0);
  });

  it('finds the CPU of a child that exited and was reaped between two snapshots in the reaped-children total', () => {
    const before = snapshotChildren(poolOf([]))!;
    execFileSync(process.execPath, ['-e', "require('node:crypto').pbkdf2Sync('pw', 'salt', 300000, 32, 'sha256')"]);
    const after = snapshotChildren(poolOf([]))!;
    expect(childUsageBetween(before, after).cpuMs).toBeGreaterThan(20);
  });

  it('leaves out a pid that no longer exists, and has nothing to read for an executor without children', () => {
    expect(snapshotChildren(poolOf([2 ** 22 + 1]))!.ticks.size).toBe(0); // above the kernel's pid_max limit
    expect(snapshotChildren(poolOf([process.pid], 'thread'))).toBeUndefined();
    expect(snapshotChildren({ kind: 'process' } as unknown as Executor)).toBeUndefined();
  });
});
