import type { EventEmitter } from 'node:events';
import type { GelfCompression } from './decompress.js';

/** The transport a GELF message arrived on. */
export type GelfTransportName = 'udp' | 'tcp' | 'http';

/** Options of {@link createGelfReceiver}. */
export interface GelfReceiverOptions {
  /** Address to listen on. @defaultValue '127.0.0.1' */
  host?: string;
  /**
   * UDP port (0 = any free port; `false` or undefined = no UDP listener).
   * When `udp`, `tcp` and `http` are all undefined, UDP and TCP listen on 12201.
   */
  udp?: number | false;
  /** TCP port (0 = any free port; `false` or undefined = no TCP listener). */
  tcp?: number | false;
  /** HTTP port for `POST /gelf` (0 = any free port; `false` or undefined = no HTTP listener). */
  http?: number | false;
  /** How long a chunk set may stay incomplete, from its first chunk (Graylog: 5 s). @defaultValue 5000 */
  chunkTimeoutMs?: number;
  /** Incomplete UDP chunk sets held at once; beyond, the oldest is dropped. @defaultValue 1000 */
  maxOpenChunkSets?: number;
  /** Largest message after decompression, in bytes (Graylog: 8 MiB). @defaultValue 8388608 */
  maxMessageBytes?: number;
  /** Largest TCP frame, NUL excluded (Graylog: 2 MiB). @defaultValue 2097152 */
  maxTcpFrameBytes?: number;
  /** Messages kept in {@link GelfReceiver.messages}; older ones are forgotten. @defaultValue 10000 */
  maxStoredMessages?: number;
  /** Open TCP connections accepted at once. @defaultValue 1024 */
  maxTcpConnections?: number;
}

/** One GELF message as it arrived. */
export interface ReceivedGelf {
  /** The parsed JSON object. */
  message: Record<string, unknown>;
  /** The transport it arrived on. */
  transport: GelfTransportName;
  /** The sender, `address:port` (`[address]:port` for IPv6). */
  remote: string;
  /** Bytes on the wire: all chunk datagrams, the TCP frame (NUL excluded) or the HTTP body. */
  bytes: number;
  /** How the payload was compressed. */
  compression: GelfCompression;
  /** Datagrams it came in (1 for unchunked UDP and for TCP and HTTP). */
  chunks: number;
  /** Violations of GELF 1.1 and Graylog's rules seen in it (see {@link validateGelf}). */
  violations: string[];
  /** When it was complete, in ms since the epoch. */
  receivedAt: number;
}

/** Something that arrived but is no GELF message (never thrown; emitted as `invalid`). */
export interface InvalidGelf {
  /** The transport it arrived on. */
  transport: GelfTransportName;
  /** The sender, or '' when unknown (an expired chunk set). */
  remote: string;
  /** Why it was refused, readable. */
  reason: string;
  /** Bytes on the wire. */
  bytes: number;
}

/** Counters of a {@link GelfReceiver}. */
export interface GelfReceiverStats {
  /** Messages parsed and emitted. */
  received: number;
  /** Messages per transport. */
  receivedByTransport: Record<GelfTransportName, number>;
  /** Payloads refused: bad JSON, not an object, bad compression, too large, bad chunk … */
  invalid: number;
  /** Emitted messages with at least one violation. */
  withViolations: number;
  /** UDP datagrams received. */
  datagrams: number;
  /** Chunk datagrams accepted into a set. */
  chunks: number;
  /** Chunks whose sequence number had already arrived (ignored). */
  duplicateChunks: number;
  /** Chunks refused (count 0 or above 128, sequence out of range, short header). */
  chunksRejected: number;
  /** Chunk sets still incomplete after `chunkTimeoutMs`. */
  chunkSetsExpired: number;
  /** Incomplete chunk sets dropped to respect the bounds. */
  chunkSetsDropped: number;
  /** Chunk sets open right now. */
  chunkSetsOpen: number;
  /** Payloads whose decompression failed or exceeded `maxMessageBytes`. */
  decompressFailed: number;
  /** TCP connections accepted in total. */
  tcpConnections: number;
  /** TCP frames over `maxTcpFrameBytes`, dropped. */
  tcpFramesOversized: number;
  /** HTTP requests received. */
  httpRequests: number;
  /** HTTP requests answered with anything but 202. */
  httpRejected: number;
  /** Socket errors seen (reported on the `warning` event, never thrown). */
  socketErrors: number;
}

/** The events of a {@link GelfReceiver}. */
export interface GelfReceiverEvents {
  /** A message arrived (also stored in {@link GelfReceiver.messages}). */
  message: [message: ReceivedGelf];
  /** Something arrived that is no GELF message; counted in `stats().invalid`. */
  invalid: [invalid: InvalidGelf];
  /** A socket error that did not stop the receiver. */
  warning: [error: Error];
}

/** A running GELF receiver; see {@link createGelfReceiver}. */
export interface GelfReceiver extends EventEmitter<GelfReceiverEvents> {
  /** The ports actually bound, per transport listening. */
  readonly ports: { udp?: number; tcp?: number; http?: number };
  /** The address listened on. */
  readonly host: string;
  /** Messages received so far, oldest first, at most `maxStoredMessages`. */
  readonly messages: ReceivedGelf[];
  /**
   * Resolves with {@link messages} once it holds at least `count` messages; rejects after
   * `timeoutMs` (default 10 000) with an error saying how many arrived, or when the receiver
   * closes first.
   */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedGelf[]>;
  /**
   * Resolves with the first message, stored or still to come, for which `predicate` is true;
   * rejects after `timeoutMs` (default 10 000) or when the receiver closes first. Handy when
   * several tests share one receiver: wait for your own trace id.
   */
  waitForMessage(
    predicate: (m: ReceivedGelf) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedGelf>;
  /** A snapshot of the counters. */
  stats(): GelfReceiverStats;
  /** Forgets the stored messages (counters keep running). */
  clear(): void;
  /** Stops listening, closes open TCP and HTTP keep-alive connections; idempotent. */
  close(): Promise<void>;
}
