// Barrel for src/primitives: every public export of this area.
export { WaiterQueue, type SignalOptions } from '../core/waiters';
export {
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  BrokenBarrierError,
  isQueueEmpty,
  isQueueFull,
  isQueueShutDown,
  isBrokenBarrierError,
} from '../core/primitive-errors';
export { Guard } from './guard';
export { Lock, type LockStatistics } from './lock';
export { Semaphore, BoundedSemaphore, type SemaphoreStatistics } from './semaphore';
export { Event, type EventStatistics } from './event';
export { Condition, type ConditionStatistics } from './condition';
export { Barrier, type BarrierState, type BarrierStatistics } from './barrier';
export { Queue, type QueueStatistics } from './queue';
export { PriorityQueue, type Comparator } from './priority-queue';
export { LifoQueue } from './lifo-queue';
