/** The two magic bytes that open every chunked GELF datagram. */
const GELF_CHUNK_MAGIC_0 = 0x1e;
/** Second magic byte of a chunked GELF datagram. */
const GELF_CHUNK_MAGIC_1 = 0x0f;
/** Bytes before a chunk's payload: magic (2), message id (8), sequence number (1), count (1). */
const GELF_CHUNK_HEADER_BYTES = 12;
/** The most chunks one GELF message may have (GELF 1.1 and Graylog). */
export const GELF_MAX_CHUNKS = 128;

/** Options of {@link ChunkReassembler}. */
export interface ChunkReassemblerOptions {
  /** How long a chunk set may stay incomplete, from its first chunk. @defaultValue 5000 */
  timeoutMs?: number;
  /** Incomplete chunk sets held at once; beyond, the oldest is dropped. @defaultValue 1000 */
  maxOpenSets?: number;
  /** Payload bytes held in incomplete sets at once; beyond, the oldest are dropped. @defaultValue 64 MiB */
  maxPendingBytes?: number;
  /** Called when an incomplete set is forgotten: expired after `timeoutMs`, or dropped by a bound. */
  onDiscard?: (info: ChunkSetDiscard) => void;
}

/** An incomplete chunk set that was forgotten, and why. */
export interface ChunkSetDiscard {
  /** The message id, as 16 hex digits. */
  id: string;
  /** Chunks that had arrived. */
  received: number;
  /** Chunks the set announced. */
  count: number;
  /** `expired`: still incomplete after the timeout; `dropped`: evicted to respect a bound. */
  why: 'expired' | 'dropped';
  /** Bytes of the chunk datagrams that had arrived. */
  bytes: number;
  /** The sender of the set's first chunk, as given to {@link ChunkReassembler.push}. */
  remote: string;
}

/** Counters of a {@link ChunkReassembler}. */
export interface ChunkReassemblerStats {
  /** Chunk datagrams accepted into a set (duplicates excluded). */
  chunks: number;
  /** Chunks whose sequence number had already arrived (ignored, as Graylog does). */
  duplicateChunks: number;
  /** Chunks refused: short header, count 0 or above 128, sequence out of range, count mismatch. */
  chunksRejected: number;
  /** Sets that stayed incomplete past the timeout. */
  chunkSetsExpired: number;
  /** Incomplete sets dropped to respect `maxOpenSets` / `maxPendingBytes`. */
  chunkSetsDropped: number;
  /** Sets completed. */
  chunkSetsCompleted: number;
  /** Sets open right now. */
  chunkSetsOpen: number;
}

/** The outcome of {@link ChunkReassembler.push}. */
export type ChunkPushResult =
  | { kind: 'complete'; payload: Buffer; chunks: number; bytes: number }
  | { kind: 'pending' }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; reason: string };

interface ChunkSet {
  readonly count: number;
  readonly remote: string;
  readonly parts: (Buffer | undefined)[];
  received: number;
  payloadBytes: number;
  wireBytes: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Whether a datagram starts with the GELF chunk magic `1e 0f`. */
export function isChunkedDatagram(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === GELF_CHUNK_MAGIC_0 && buf[1] === GELF_CHUNK_MAGIC_1;
}

/**
 * Reassembles chunked GELF datagrams the way Graylog's chunk aggregator does: chunks may arrive
 * in any order, a repeated sequence number is ignored, a set of more than 128 chunks is refused,
 * and a set still incomplete `timeoutMs` after its first chunk is forgotten. Open sets and the
 * bytes they hold are bounded; the oldest set goes first. Never throws on any input.
 */
export class ChunkReassembler {
  private readonly sets = new Map<string, ChunkSet>();
  private readonly timeoutMs: number;
  private readonly maxOpenSets: number;
  private readonly maxPendingBytes: number;
  private readonly onDiscard: ChunkReassemblerOptions['onDiscard'];
  private pendingBytes = 0;
  private readonly counters: Omit<ChunkReassemblerStats, 'chunkSetsOpen'> = {
    chunks: 0,
    duplicateChunks: 0,
    chunksRejected: 0,
    chunkSetsExpired: 0,
    chunkSetsDropped: 0,
    chunkSetsCompleted: 0,
  };

  constructor(options: ChunkReassemblerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxOpenSets = Math.max(1, options.maxOpenSets ?? 1000);
    this.maxPendingBytes = Math.max(1, options.maxPendingBytes ?? 64 * 1024 * 1024);
    this.onDiscard = options.onDiscard;
  }

  /**
   * Adds one chunk datagram (starting with the magic bytes). Returns the whole payload when this
   * chunk completes its set. Sets are keyed by message id alone, as in Graylog.
   *
   * @param remote - the sender, only to tell it when the set is discarded
   */
  push(datagram: Buffer, remote = ''): ChunkPushResult {
    if (datagram.length < GELF_CHUNK_HEADER_BYTES || !isChunkedDatagram(datagram)) {
      return this.reject(`chunk shorter than its ${GELF_CHUNK_HEADER_BYTES}-byte header`);
    }
    const seq = datagram[10]!;
    const count = datagram[11]!;
    if (count === 0) return this.reject('chunk count is 0');
    if (count > GELF_MAX_CHUNKS) {
      return this.reject(`chunk count ${count} exceeds ${GELF_MAX_CHUNKS}`);
    }
    if (seq >= count) return this.reject(`chunk sequence number ${seq} >= count ${count}`);
    const id = datagram.toString('hex', 2, 10);
    const payload = datagram.subarray(GELF_CHUNK_HEADER_BYTES);

    let set = this.sets.get(id);
    if (set !== undefined && set.count !== count) {
      return this.reject(`chunk count ${count} differs from ${set.count} for message ${id}`);
    }
    if (count === 1) {
      this.counters.chunks++;
      this.counters.chunkSetsCompleted++;
      return { kind: 'complete', payload: Buffer.from(payload), chunks: 1, bytes: datagram.length };
    }
    if (set === undefined) {
      set = this.open(id, count, remote);
    } else if (set.parts[seq] !== undefined) {
      this.counters.duplicateChunks++;
      return { kind: 'duplicate' };
    }
    this.counters.chunks++;
    // Copy: the datagram's buffer may be a slice of a larger one the socket reuses.
    set.parts[seq] = Buffer.from(payload);
    set.received++;
    set.payloadBytes += payload.length;
    set.wireBytes += datagram.length;
    this.pendingBytes += payload.length;

    if (set.received === set.count) {
      this.forget(id, set);
      this.counters.chunkSetsCompleted++;
      return {
        kind: 'complete',
        payload: Buffer.concat(set.parts as Buffer[], set.payloadBytes),
        chunks: set.count,
        bytes: set.wireBytes,
      };
    }
    this.enforcePendingBytes(id);
    return { kind: 'pending' };
  }

  /** A snapshot of the counters. */
  stats(): ChunkReassemblerStats {
    return { ...this.counters, chunkSetsOpen: this.sets.size };
  }

  /** Forgets every open set and stops their timers (nothing is reported as expired). */
  clear(): void {
    for (const set of this.sets.values()) clearTimeout(set.timer);
    this.sets.clear();
    this.pendingBytes = 0;
  }

  private open(id: string, count: number, remote: string): ChunkSet {
    // Map iteration order is insertion order, so the first key is the oldest set.
    while (this.sets.size >= this.maxOpenSets) this.dropOldest();
    const timer = setTimeout(() => this.expire(id), this.timeoutMs);
    timer.unref();
    const set: ChunkSet = {
      count,
      remote,
      parts: new Array<Buffer | undefined>(count),
      received: 0,
      payloadBytes: 0,
      wireBytes: 0,
      timer,
    };
    this.sets.set(id, set);
    return set;
  }

  private enforcePendingBytes(keep: string): void {
    while (this.pendingBytes > this.maxPendingBytes && this.sets.size > 1) {
      const oldest = this.sets.keys().next().value as string;
      if (oldest === keep) break;
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const first = this.sets.entries().next();
    if (first.done === true) return;
    const [id, set] = first.value;
    this.forget(id, set);
    this.counters.chunkSetsDropped++;
    this.discarded(id, set, 'dropped');
  }

  private expire(id: string): void {
    const set = this.sets.get(id);
    if (set === undefined) return;
    this.forget(id, set);
    this.counters.chunkSetsExpired++;
    this.discarded(id, set, 'expired');
  }

  private discarded(id: string, set: ChunkSet, why: ChunkSetDiscard['why']): void {
    this.onDiscard?.({
      id,
      received: set.received,
      count: set.count,
      why,
      bytes: set.wireBytes,
      remote: set.remote,
    });
  }

  private forget(id: string, set: ChunkSet): void {
    clearTimeout(set.timer);
    this.sets.delete(id);
    this.pendingBytes -= set.payloadBytes;
  }

  private reject(reason: string): ChunkPushResult {
    this.counters.chunksRejected++;
    return { kind: 'rejected', reason };
  }
}
