/** Types of `./moves.cjs`. */
export function takeTransfers(values: readonly unknown[]): import('node:worker_threads').TransferListItem[] | undefined;
export function restoreTransfers(targets: readonly import('node:worker_threads').TransferListItem[] | undefined): void;
export function hasMoves(): boolean;
