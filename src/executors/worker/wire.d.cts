/** Types of `./wire.cjs` (see that file for the meaning of each constant). */
export const PROTOCOL_VERSION: number;
export const PROCESS_CONTROL_FD: 4;
export const CELL_SENT: 0;
export const CELL_STARTED: 1;
export const CELL_CANCELLED: 2;
export const CELL_STOP: 3;
export const CELL_DONE: 4;
