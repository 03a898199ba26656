/** Types of `./error-classes.cjs` (see that file for the behaviour). */

/** Why {@link claimErrorClass} refused: another class holds the key, or the class has another key. */
export type ClassConflict =
  | { readonly kind: 'key'; readonly other: Function; readonly site: string }
  | { readonly kind: 'class'; readonly key: string };

/** Register `Class` under `key` in this thread; the conflict instead when there is one. */
export declare function claimErrorClass(Class: Function, key: string, site: string): ClassConflict | undefined;
/** The class registered under `key` in this thread. */
export declare function registeredErrorClass(key: string): Function | undefined;
/** The key `Class` is registered under in this thread. */
export declare function registeredErrorKey(Class: Function): string | undefined;
/** The loaded CommonJS modules that export `Class`: `[file, path]` pairs (`''` = the exports themselves). */
export declare function exportLocations(Class: Function): readonly (readonly [file: string, path: string])[];
/** The class at `path` in the exports of `file`, if this thread has loaded that module. */
export declare function exportedClass(file: string, path: string): Function | undefined;
