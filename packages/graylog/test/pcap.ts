/** One UDP datagram to write into a capture file. */
export interface Datagram {
  /** Source IPv4 address, e.g. '127.1.0.1'. */
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
  /** Capture time in ms since the epoch. */
  timeMs: number;
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/**
 * A classic pcap file (microsecond timestamps, LINKTYPE_ETHERNET) holding each datagram as an
 * Ethernet/IPv4/UDP packet. IP and UDP checksums are 0 (UDP: "not computed"; tshark does not
 * check the IP one by default).
 */
export function pcapOf(datagrams: Datagram[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(262_144, 16);
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  for (const d of datagrams) {
    const udpLength = 8 + d.payload.length;
    const frame = Buffer.alloc(14 + 20 + 8);
    // Ethernet: locally administered addresses, type IPv4
    Buffer.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]).copy(frame, 0);
    frame.writeUInt16BE(0x0800, 12);
    // IPv4
    frame[14] = 0x45;
    frame.writeUInt16BE(20 + udpLength, 16);
    frame.writeUInt16BE(0x4000, 20); // don't fragment
    frame[22] = 64;
    frame[23] = 17; // UDP
    ipv4(d.src).copy(frame, 26);
    ipv4(d.dst).copy(frame, 30);
    // UDP
    frame.writeUInt16BE(d.srcPort, 34);
    frame.writeUInt16BE(d.dstPort, 36);
    frame.writeUInt16BE(udpLength, 38);
    const record = Buffer.alloc(16);
    const sec = Math.floor(d.timeMs / 1000);
    record.writeUInt32LE(sec, 0);
    record.writeUInt32LE(Math.round((d.timeMs - sec * 1000) * 1000), 4);
    const length = frame.length + d.payload.length;
    record.writeUInt32LE(length, 8);
    record.writeUInt32LE(length, 12);
    parts.push(record, frame, d.payload);
  }
  return Buffer.concat(parts);
}
