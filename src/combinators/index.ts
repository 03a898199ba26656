// Barrel for src/combinators.
export { sleep } from './sleep';
export { gather } from './gather';
export type { GatherOptions } from './gather';
export { wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from './wait';
export type { WaitOptions, WaitResult, ReturnWhen } from './wait';
export { asCompleted } from './as-completed';
export type { AsCompleted, AsCompletedOptions } from './as-completed';
export { waitFor } from './wait-for';
export { shield } from './shield';
export { timeout } from './timeout';
export type { TimeoutScope } from './timeout';
export { TaskGroup, openNursery } from './task-group';
export type { Nursery } from './task-group';
export type { Awaitable, AwaitedOf } from './awaitable';
