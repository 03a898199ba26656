/**
 * The seed's examples count in seconds. `UNSYNC_EXAMPLE_SECOND` scales them down
 * (the tests run them with 40 ms "seconds"); by default a second is a second.
 */
export const SECOND = Number(process.env.UNSYNC_EXAMPLE_SECOND ?? 1000);
