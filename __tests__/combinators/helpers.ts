// The combinator tests' helpers are the shared ones.
export { activeTimers, errorOf, flush, nativeDelay, timersSettleTo } from '../helpers/async';
