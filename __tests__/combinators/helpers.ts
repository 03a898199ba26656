// The combinator tests' helpers are the shared ones.
export { errorOf, flush, nativeDelay } from '../helpers/async';
