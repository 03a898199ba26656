/**
 * The decorator layer: `@unsync` / `unsync(fn)`, the hint decorators, `inspect`, and the
 * blocking helpers. Builds on `src/` (core, combinators, executors); nothing in `src/`
 * except its barrel imports this folder. Design: docs/decorator.md.
 */
import './bench-bridge';
export { unsync } from './unsync';
export type { UnsyncOptions, ExecutorChoice, ConcreteExecutor, RoutedExecutor, UnsyncCallOptions, CallExecutor } from './options';
export type { Unsynced, UnsyncedFunction, UnsyncedResult, WithCallOptions, UnsyncDecorator, UnsyncFunction } from './types';
export { withOptions } from './with-options';
export { cpuBound, ioBound, executor } from './hints';
export type { MethodHintDecorator } from './hints';
export { inspect } from './inspect';
export type { Inspection, InspectRule } from './inspect';
export { configureEvidence } from './evidence-thresholds';
export type { EvidenceThresholds } from './evidence-thresholds';
export type { ExecutorTimes, MeasuredFacts } from './evidence-types';
export { resultSync } from './result-sync';
export { asUnfuture, asStream } from './as-unfuture';
export { decoratorStatistics } from './statistics';
export type { DecoratedStatistics } from './statistics';
