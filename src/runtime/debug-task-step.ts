/**
 * Debug mode's one `futureHooks.aroundTaskStep` (src/core/hooks.ts), shared by every report
 * that needs a task's first step (debug-slow.ts times it, debug-futures.ts watches the
 * promise it returns). Each registers its wrapper here once, when it loads, with
 * {@link wrapTaskStep}; this module installs their composition while debug mode is on. So
 * no report depends on the order the others were loaded in or on the order of their toggle
 * listeners.
 */
import type { Unfuture } from '../core/future';
import { futureHooks } from '../core/hooks';
import { onDebugToggle } from './debug-state';

/** Wraps a task's first step: must call `step` exactly once and return its result. */
export type TaskStepWrapper = (task: Unfuture<unknown>, step: () => unknown) => unknown;

// Every wrapper registered so far, composed: the first registered runs outermost.
let composed: TaskStepWrapper = (_task, step) => step();

/**
 * Run `wrapper` around the first step of every task started while debug mode is on (inside
 * the wrappers registered before it). Call once, when the registering module loads.
 *
 * @example
 * wrapTaskStep((task, step) => timeSection(step, () => `task "${task.getName()}"`));
 */
export function wrapTaskStep(wrapper: TaskStepWrapper): void {
  const outer = composed;
  composed = (task, step) => outer(task, () => wrapper(task, step));
}

// Reads `composed` on each call, so a wrapper registered after debug mode was turned on counts too.
function aroundTaskStep(task: Unfuture<unknown>, step: () => unknown): unknown {
  return composed(task, step);
}

onDebugToggle((on) => {
  futureHooks.aroundTaskStep = on ? aroundTaskStep : undefined;
});
