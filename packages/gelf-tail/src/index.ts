export {
  type DecompressResult,
  decompressPayload,
  detectCompression,
  type GelfCompression,
} from './decompress.js';
export {
  breakdownLine,
  type FormatOptions,
  formatSummary,
  type OperationRow,
  operationsFromFields,
  operationsFromFullMessage,
} from './format.js';
export { createGelfReceiver, DEFAULT_GELF_PORT } from './receiver.js';
export { TcpFramer, type TcpFramerStats } from './tcp-framer.js';
export type {
  GelfReceiver,
  GelfReceiverEvents,
  GelfReceiverOptions,
  GelfReceiverStats,
  GelfTransportName,
  InvalidGelf,
  ReceivedGelf,
} from './types.js';
export {
  type ChunkPushResult,
  ChunkReassembler,
  type ChunkReassemblerOptions,
  type ChunkReassemblerStats,
  type ChunkSetDiscard,
  GELF_MAX_CHUNKS,
  isChunkedDatagram,
} from './udp-chunks.js';
export { GRAYLOG_MAX_TERM_BYTES, validateGelf } from './validate.js';
