// The combinator tests' helpers are the shared ones.
export { activeTimers, errorOf, flush, inTurns, nativeDelay, timersSettleTo } from '../helpers/async';
