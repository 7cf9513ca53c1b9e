/** Messages between the benchmark's driver and its child processes (over the IPC channel). */

/** Driver → service. */
export type ServiceCommand = { type: 'begin' } | { type: 'end' } | { type: 'exit' };

/** What a service measured between `begin` and `end`. */
export interface WindowStats {
  /** Requests answered (counted at the http server, whatever the load generator saw). */
  requests: number;
  /** CPU of the whole process (every thread), user + system, from `process.cpuUsage()`. */
  cpuUs: number;
  /** Of {@link cpuUs}, the system part: the kernel's work for the process (its syscalls). */
  systemCpuUs: number;
  /** Event-loop delay percentiles from `monitorEventLoopDelay` (ms). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Resident set size at the end (bytes). */
  rssBytes: number;
  /** With `--time-calls`: what the span processors' calls took (none for setups without one). */
  calls?: ProcessorCalls;
}

/** One hook's calls in a window (`--time-calls`), the clock's own cost subtracted. */
export interface CallStats {
  calls: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  meanNs: number;
  /** All the window's calls together. */
  totalUs: number;
}

/** The span processors' onStart and onEnd calls in a window (`--time-calls`). */
export interface ProcessorCalls {
  /** What the pair of clock reads around each call costs (subtracted from the figures). */
  clockNs: number;
  onStart: CallStats;
  onEnd: CallStats;
}

/** Service → driver. */
export type ServiceReport =
  | { type: 'ready'; port: number }
  | { type: 'begun' }
  | ({ type: 'ended' } & WindowStats);

/** Counters of one sink listener. */
export interface SinkCounts {
  /** GELF messages (UDP: first chunks and whole datagrams; TCP: frames) or OTLP requests. */
  messages: number;
  /** Spans in the OTLP requests (0 for GELF). */
  spans: number;
  /** Bytes read from the network: datagrams, TCP stream, HTTP requests with their headers. */
  bytes: number;
}

/** Driver → sink. */
export type SinkCommand =
  | { type: 'listen'; name: string; kind: 'gelf-udp' | 'gelf-tcp' | 'otlp-http' }
  | { type: 'count' }
  | { type: 'reset' }
  | { type: 'exit' };

/** Sink → driver. */
export type SinkReport =
  | { type: 'listening'; name: string; port: number }
  | { type: 'counts'; counts: Record<string, SinkCounts> };
