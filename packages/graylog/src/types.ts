/**
 * Public types of @otel-gelf/graylog that are not tied to one class: the GELF message and the
 * transport contract.
 */

/** A GELF additional field value: Graylog stores strings and numbers (it drops booleans and null). */
export type GelfFieldValue = string | number;

/** A GELF 1.1 message as {@link toGelf} produces it. */
export interface GelfMessage {
  /** Always "1.1". */
  version: '1.1';
  /** The sending host (option `host`, default `os.hostname()`). */
  host: string;
  /** One readable line, e.g. `GET /api 200 512.3 ms`. */
  short_message: string;
  /** The operations as JSON, `{"name": {"num_calls", "min", "max", "mean", "values"}}`. */
  full_message?: string;
  /** Start of the request, seconds since the epoch with millisecond decimals. */
  timestamp?: number;
  /** Syslog level: 6 (info), or 3 (error) when the root span's status is ERROR. */
  level: number;
  /** Additional fields: `_trace_id`, `_duration_ms`, `_op_<name>_count` … */
  [field: `_${string}`]: GelfFieldValue;
}

/**
 * Why a message was not delivered. Dropped (refused without trying): `bufferFull` (TCP/TLS
 * `maxBufferBytes`), `inFlightCap` (UDP/HTTP/gelf-pro `maxInFlight`), `tooLarge` (over
 * `maxPayloadBytes`, or no GELF message could be made of the summary), `closed` (after `close`).
 * Failed (tried and lost): `timeout` (no answer, not connected, or a peer that stopped reading,
 * for `timeoutMillis`), `httpStatus` (an answer other than 202), `network` (a socket, DNS or TLS
 * error, a lost connection).
 */
export type GelfLossReason =
  | 'bufferFull'
  | 'inFlightCap'
  | 'tooLarge'
  | 'closed'
  | 'timeout'
  | 'httpStatus'
  | 'network';

/** The outcome of one message handed to {@link GelfTransport.send}. */
export type GelfOutcome = 'sent' | GelfLossReason;

/**
 * Told once per message how it ended; `detail` says what happened in words (e.g.
 * `TCP buffer full (4 MiB), 127.0.0.1:12201 is not reading`), built once per event, not per
 * message.
 */
export type GelfOutcomeCallback = (outcome: GelfOutcome, detail: string | undefined) => void;

/** Messages not delivered, per {@link GelfLossReason}. */
export type GelfLossCounts = Record<GelfLossReason, number>;

/** Counters of a {@link GelfTransport}; every message handed to `send` ends in exactly one of them. */
export interface GelfTransportStats {
  /**
   * Messages handed to the network (UDP: every datagram's send callback; TCP/TLS: written into
   * the kernel's socket buffer; HTTP: answered 202; gelf-pro: its callback without error).
   */
  sent: number;
  /** Messages refused without trying: closed transport, caps reached, buffer full, too large. */
  dropped: number;
  /** Messages tried and lost: socket errors, a lost connection, an HTTP error or timeout. */
  failed: number;
  /** `dropped` and `failed` by reason. */
  lost: GelfLossCounts;
  /** Messages accepted and not yet sent, failed or dropped. */
  pending: number;
  /** Bytes put on the wire (after compression and chunk headers; TCP frames with their NUL). */
  bytes: number;
  /** Connection or socket errors seen (a reconnect loop counts each attempt). */
  errors: number;
}

/**
 * Moves serialized GELF messages (the UTF-8 JSON bytes) to Graylog. Implementations never throw
 * from `send`, never keep the process alive when idle, and bound the memory they hold.
 *
 * Backpressure: a sender that waits for {@link ready} before each `send` (as
 * `GelfSummaryExporter` does) never meets the transport's caps; they are only safety bounds for
 * callers that do not wait.
 */
export interface GelfTransport {
  /** Largest payload (JSON bytes, before compression) `send` accepts; larger ones are dropped. */
  readonly maxPayloadBytes: number;
  /**
   * Queues or sends one message. Returns false when it was dropped at once (counted in stats).
   * `onOutcome`, when given, is called exactly once: at once (before `send` returns) for a drop,
   * else when the message was sent or lost.
   */
  send(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean;
  /**
   * Whether `send` can take another message without passing the transport's high-water mark
   * (TCP: bytes held; UDP/HTTP/gelf-pro: messages in flight). A transport without it is always
   * ready.
   */
  readonly ready?: boolean;
  /**
   * Calls `callback` once, as soon as {@link ready} is true again (at once when it is), or when
   * the transport closes.
   */
  onReady?(callback: () => void): void;
  /** Resolves when every accepted message has been sent or failed, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
  /** Flushes (up to `timeoutMs`), then releases sockets; later `send` calls drop. Idempotent. */
  close(timeoutMs: number): Promise<void>;
  /** A snapshot of the counters. */
  stats(): GelfTransportStats;
}

/**
 * UDP payload compression; `auto` compresses a message of more than 4 datagrams, and only when
 * that saves at least one.
 */
export type GelfCompression = 'none' | 'gzip' | 'zlib' | 'auto';
