// Barrel for src/streams: every public export of this area (internals are *-internal.ts).
export { StreamReader, DEFAULT_LIMIT } from './stream-reader';
export type { StreamReaderOptions, ReaderFlowControl } from './stream-reader';
export { StreamWriter } from './stream-writer';
export type { ExtraInfoName } from './stream-writer';
export { openConnection } from './open-connection';
export { Server, startServer } from './server';
export { SocketStream, openTcpStream } from './socket-stream';
export { serveTcp } from './serve-tcp';
export type { ServeTcpOptions } from './serve-tcp';
export type { OpenConnectionOptions, StartServerOptions, ConnectionHandler, StreamPair, AddressInfo } from './options';
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
} from '../core/stream-errors';
