// Barrel for src/streams: every public export of this area (internals are *-internal.ts).
export { StreamReader } from './stream-reader';
export type { StreamReaderOptions, ReaderFlowControl } from './stream-reader';
export { StreamWriter } from './stream-writer';
export { openConnection } from './open-connection';
export { Server, startServer } from './server';
export { SocketStream, openTcpStream } from './socket-stream';
export { serveTcp } from './serve-tcp';
export type { ServeTcpOptions } from './serve-tcp';
export { DEFAULT_LIMIT } from './options';
export type { OpenConnectionOptions, StartServerOptions, ConnectionHandler, StreamPair, ExtraInfoName, AddressInfo } from './options';
export {
  IncompleteReadError,
  LimitOverrunError,
  ConnectionResetError,
  ClosedResourceError,
  BrokenResourceError,
  isIncompleteReadError,
  isLimitOverrunError,
  isConnectionResetError,
  isClosedResourceError,
  isBrokenResourceError,
} from '../core/errors';
