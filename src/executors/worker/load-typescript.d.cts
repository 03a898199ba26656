/** Types of `./load-typescript.cjs` (see that file for the behaviour). */

/** A loader's name as the parent sends it, or what this thread ended up with. */
export type LoaderInUse = 'tsx' | 'ts-node' | 'typescript' | 'native' | 'inherited' | 'none';

/**
 * Make sure `file` can be loaded in this thread: for a TypeScript file with no loader yet,
 * register one. Throws an error with code `UNSYNC_NO_TS_LOADER` when none can be.
 */
export declare function ensureTypeScript(file: string): void;
/** The TypeScript loader the parent runs under (a thread session's `tsLoader`). */
export declare function preferLoader(name: string | undefined): void;
/** The loader this thread uses for TypeScript: `none` until a `.ts` module needed one. */
export declare function loaderInUse(): LoaderInUse;
/** Why `file` could not be loaded, in one line that names the fix. */
export declare function describeLoadFailure(error: unknown, file: string): string;
