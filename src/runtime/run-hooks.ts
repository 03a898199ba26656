/**
 * Hooks the debug mode adds to `run` (reports at exit). Their own module so that debug
 * mode (debug-futures.ts) can set them without importing run.ts, which loads debug mode.
 */

/** Called by `run()` after `main` and every task it left have settled, before it returns. */
export const runHooks: { beforeReturn: (() => void) | undefined } = { beforeReturn: undefined };
