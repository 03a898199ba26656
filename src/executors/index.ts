// Barrel for src/executors: every public export of this area.
export type { Executor, SubmitOptions, StreamOptions, PoolRun, CloseOptions, ExecutorStatistics, DurationSummary, ExecutorState } from './executor';
export type { CallRef } from './protocol';
export type { ThreadPoolOptions, ProcessPoolOptions } from './engine/pool-options';
export { CALLER_STACKS_BACKLOG } from './engine/pool-options';
export { unsyncRegister, inWorker, locateFunction } from './registry';
export { registerErrorClass } from './error-classes';
export type { ErrorClassOptions } from './error-classes';
export type { RegisterOptions, RegisteredRef } from './registry';
export { LoopExecutor } from './loop-executor';
export { ThreadExecutor } from './thread-executor';
export { mapOn } from './map';
export type { UnsyncStream } from './unsync-stream';
export type { MapOptions, MapIterator } from './map';
export { ProcessExecutor } from './process-executor';
export { RemoteExecutor } from './remote/remote-executor';
export type { RemoteExecutorStatistics } from './remote/remote-executor';
export { startWorker } from './remote/remote-worker';
export type { RemoteWorker } from './remote/remote-worker';
export type { RemoteWorkerStatistics } from './remote/worker-executors';
export type { RemoteBackoff, RemoteConnection, RemoteQueueOptions, RemoteOptions, RemoteWorkerOptions, RemoteWorkerExecutor, RemoteJobReport } from './remote/remote-options';
export {
  WorkerCrashedError,
  RemoteError,
  RemoteJobError,
  LocateError,
  ModuleLoadError,
  CloneError,
  isWorkerCrashedError,
  isRemoteError,
  isRemoteJobError,
  isLocateError,
  isModuleLoadError,
  isCloneError,
} from '../core/executor-errors';
