/** Counters of a {@link TcpFramer}. */
export interface TcpFramerStats {
  /** Frames handed out. */
  frames: number;
  /** Frames longer than `maxFrameBytes`, discarded up to their terminating NUL. */
  oversized: number;
}

/**
 * Splits a TCP byte stream into GELF frames on the NUL byte. A frame may arrive across any
 * number of `data` events; consecutive NULs (empty frames) are skipped. A frame longer than
 * `maxFrameBytes` is dropped whole: its buffered bytes are released at once and whatever follows
 * up to the next NUL is discarded too, so its tail is never parsed as a message of its own.
 * Never throws.
 */
export class TcpFramer {
  private readonly maxFrameBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  private readonly counters: TcpFramerStats = { frames: 0, oversized: 0 };

  /** @param maxFrameBytes - the largest frame accepted, NUL excluded (Graylog: 2 MiB) */
  constructor(maxFrameBytes = 2 * 1024 * 1024) {
    this.maxFrameBytes = Math.max(1, maxFrameBytes);
  }

  /**
   * Feeds bytes and returns the frames they complete, in order. A frame may share memory with
   * `data`: copy it before keeping it past a later write into that buffer.
   */
  push(data: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let start = 0;
    while (start < data.length) {
      const nul = data.indexOf(0, start);
      if (nul === -1) {
        this.buffer(data.subarray(start));
        break;
      }
      const piece = data.subarray(start, nul);
      start = nul + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (this.pendingBytes + piece.length > this.maxFrameBytes) {
        this.dropPending();
        continue;
      }
      // A frame inside one read is a view of it, not a copy: callers parse it at once.
      const frame =
        this.pendingBytes === 0
          ? piece
          : Buffer.concat([...this.pending, piece], this.pendingBytes + piece.length);
      this.pending = [];
      this.pendingBytes = 0;
      if (frame.length > 0) {
        this.counters.frames++;
        frames.push(frame);
      }
    }
    return frames;
  }

  /**
   * Ends the stream: returns the bytes left after the last NUL (a frame the sender never
   * terminated; Graylog discards it), or `undefined` when there are none.
   */
  end(): Buffer | undefined {
    const rest =
      this.pendingBytes > 0 && !this.discarding
        ? Buffer.concat(this.pending, this.pendingBytes)
        : undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
    return rest;
  }

  /** Bytes buffered towards the next frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** A snapshot of the counters. */
  stats(): TcpFramerStats {
    return { ...this.counters };
  }

  private buffer(piece: Buffer): void {
    if (this.discarding || piece.length === 0) return;
    if (this.pendingBytes + piece.length > this.maxFrameBytes) {
      this.dropPending();
      this.discarding = true;
      return;
    }
    // Copy: the socket may reuse the memory behind `data` for the next read.
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
  }

  private dropPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.counters.oversized++;
  }
}
