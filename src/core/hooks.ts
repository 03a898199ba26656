/**
 * Hook points the runtime's debug mode plugs into. The core calls them only when set,
 * so with debug off they cost one property read.
 */
import type { Unfuture } from './future';

export const futureHooks: {
  /** Called synchronously when any future settles as rejected. */
  onRejected: ((future: Unfuture<unknown>) => void) | undefined;
  /** Called when a task is created (debug mode records where). */
  onTaskCreated: ((task: Unfuture<unknown>) => void) | undefined;
} = {
  onRejected: undefined,
  onTaskCreated: undefined,
};
