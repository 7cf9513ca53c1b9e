export {
  annotateRequest,
  countInRequest,
  type RequestAnnotations,
} from '@otel-gelf/request-summary';
export {
  type Environment,
  GELF_ENV,
  type GelfOptions,
  type GelfTransportChoice,
  type ResolvedGelfConfig,
  resolveGelfConfig,
} from './config.js';
export { ConfigurationError } from './configuration-error.js';
export { createTransport } from './create-transport.js';
export {
  DEFAULT_ENDPOINT,
  DEFAULT_GELF_PORT,
  type GelfEndpoint,
  type GelfProtocol,
  parseEndpoint,
} from './endpoint.js';
export {
  DEFAULT_OPERATION_FIELDS,
  FieldBudget,
  type FieldBudgetOptions,
  type FieldBudgetStats,
  type OperationStatistic,
} from './gelf-plan.js';
export {
  type GelfExporterStats,
  GelfSummaryExporter,
  type GelfSummaryExporterOptions,
} from './gelf-summary-exporter.js';
export {
  GraylogSummaryProcessor,
  type GraylogSummaryProcessorOptions,
} from './graylog-summary-processor.js';
export { MAX_VALUE_BYTES, type ToGelfOptions, toGelf, toGelfPayload } from './to-gelf.js';
export { GelfProTransport, type GelfProTransportOptions } from './transports/gelf-pro.js';
export { HttpTransport, type HttpTransportOptions } from './transports/http.js';
export { TcpTransport, type TcpTransportOptions } from './transports/tcp.js';
export { type GelfTlsOptions, TlsTransport, type TlsTransportOptions } from './transports/tls.js';
export { DEFAULT_CHUNK_SIZE, UdpTransport, type UdpTransportOptions } from './transports/udp.js';
export type {
  GelfCompression,
  GelfFieldValue,
  GelfLossCounts,
  GelfLossReason,
  GelfMessage,
  GelfOutcome,
  GelfOutcomeCallback,
  GelfTransport,
  GelfTransportStats,
} from './types.js';
