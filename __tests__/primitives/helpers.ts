// The primitives tests' helpers are the shared ones.
export { errorOf, flush } from '../helpers/async';
