// The runtime's public executor API, gathered for the src/index.ts barrel.
export { configure } from './configure';
export type { ConfigureOptions } from './configure';
export { shutdown } from './shutdown';
export type { ShutdownOptions } from './lifecycle';
export { toThread, map } from './to-thread';
export type { RuntimeMapOptions } from './to-thread';
export { toProcess } from './to-process';
export { toRemote } from './to-remote';
export type { PoolCallFunction } from './to-thread';
export type { RemoteCallFunction } from './to-remote';
export type { CallOptions } from './call-options';
