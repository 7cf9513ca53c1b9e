import { randomFillSync } from 'node:crypto';

/** The two magic bytes that open every GELF chunk. */
const MAGIC_0 = 0x1e;
const MAGIC_1 = 0x0f;
/** Magic (2) + message id (8) + sequence number (1) + count (1). */
const CHUNK_HEADER_BYTES = 12;
/** Graylog refuses a message of more chunks than this. */
export const MAX_CHUNKS = 128;

/**
 * How many datagrams `payloadBytes` takes with datagrams of at most `chunkSize` bytes: 1 when it
 * fits one datagram (sent unchunked), else one chunk per `chunkSize - 12` bytes of payload, never
 * an empty trailing chunk.
 */
export function datagramCount(payloadBytes: number, chunkSize: number): number {
  if (payloadBytes <= chunkSize) return 1;
  return Math.ceil(payloadBytes / (chunkSize - CHUNK_HEADER_BYTES));
}

/** Largest payload that fits {@link MAX_CHUNKS} chunks of `chunkSize` bytes. */
export function maxChunkedPayload(chunkSize: number): number {
  return MAX_CHUNKS * (chunkSize - CHUNK_HEADER_BYTES);
}

// Message ids come from a pool filled by one random call, not one syscall per message.
const ID_POOL = Buffer.allocUnsafe(8 * 256);
let idOffset = ID_POOL.length;

/** Writes 8 random bytes (a chunked message's id) into `target` at `offset`. */
function writeMessageId(target: Buffer, offset: number): void {
  if (idOffset >= ID_POOL.length) {
    randomFillSync(ID_POOL);
    idOffset = 0;
  }
  ID_POOL.copy(target, offset, idOffset, idOffset + 8);
  idOffset += 8;
}

/** Bytes the chunks of a `payloadBytes` payload take together, their headers included. */
export function chunkedBytes(payloadBytes: number, chunkSize: number): number {
  return (
    payloadBytes + CHUNK_HEADER_BYTES * Math.ceil(payloadBytes / (chunkSize - CHUNK_HEADER_BYTES))
  );
}

/**
 * Splits `payload` into GELF chunks of at most `chunkSize` bytes each (12-byte header included),
 * all sharing one random 8-byte message id. Call only when the payload does not fit one datagram
 * and needs at most {@link MAX_CHUNKS} chunks.
 *
 * Without `target`, each chunk is a buffer of its own; with it, the chunks are written one after
 * another into `target` (at least {@link chunkedBytes} long) and returned as views of it.
 */
export function chunkPayload(payload: Buffer, chunkSize: number, target?: Buffer): Buffer[] {
  const data = chunkSize - CHUNK_HEADER_BYTES;
  const count = Math.ceil(payload.length / data);
  const chunks: Buffer[] = new Array(count);
  let offset = 0;
  for (let seq = 0; seq < count; seq++) {
    const start = seq * data;
    const end = Math.min(start + data, payload.length);
    const length = CHUNK_HEADER_BYTES + end - start;
    let chunk: Buffer;
    if (target === undefined) {
      chunk = Buffer.allocUnsafe(length);
    } else {
      chunk = target.subarray(offset, offset + length);
      offset += length;
    }
    chunk[0] = MAGIC_0;
    chunk[1] = MAGIC_1;
    if (seq === 0) writeMessageId(chunk, 2);
    else chunks[0]!.copy(chunk, 2, 2, 10);
    chunk[10] = seq;
    chunk[11] = count;
    payload.copy(chunk, CHUNK_HEADER_BYTES, start, end);
    chunks[seq] = chunk;
  }
  return chunks;
}
