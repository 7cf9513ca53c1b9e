import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestSummary } from '@otel-gelf/request-summary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GelfSummaryExporter } from '../src/gelf-summary-exporter.js';
import { toGelf } from '../src/to-gelf.js';
import { UdpTransport } from '../src/transports/udp.js';
import type { GelfCompression } from '../src/types.js';
import { waitUntil } from './helpers.js';
import { type Datagram, pcapOf } from './pcap.js';
import { operation, summary } from './summaries.js';

const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
if (!hasTshark) {
  console.warn(
    'conformance: tshark not found, skipping the Wireshark GELF dissector test (apt-get install tshark)',
  );
}

const HOST = 'conformance-host';
const GELF_PORT = 12201;

/** A local UDP socket that records every datagram it receives. */
let sink: Socket;
let sinkPort: number;
const received: Array<{ payload: Buffer; port: number; timeMs: number }> = [];

beforeAll(async () => {
  sink = createSocket('udp4');
  sink.on('message', (payload, rinfo) =>
    received.push({ payload, port: rinfo.port, timeMs: Date.now() }),
  );
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
  sinkPort = sink.address().port;
});
afterAll(() => {
  sink.close();
});

function withId(overrides: Partial<RequestSummary> = {}): RequestSummary {
  return summary({ traceId: randomBytes(16).toString('hex'), ...overrides });
}

const bigOps = Array.from({ length: 60 }, (_, i) =>
  operation(`SELECT * FROM table_${i} WHERE id = ?`, [i + 0.125, i * 2.5, 3]),
);

/**
 * Writes the recorded datagrams into a pcap, each message from its own source address (so
 * Wireshark's reassembly, keyed on addresses plus a short hash of the id, cannot mix two
 * messages), has tshark decode them with its GELF dissector, and returns every decoded object
 * along with the GELF layer of the frame that completed it.
 */
function decodeWithTshark(
  datagrams: typeof received,
): Array<{ fields: Record<string, unknown>; gelf: Record<string, unknown> }> {
  const sources = new Map<string, string>();
  const packets: Datagram[] = datagrams.map((d, i) => {
    const chunked = d.payload[0] === 0x1e && d.payload[1] === 0x0f;
    const key = chunked ? d.payload.subarray(2, 10).toString('hex') : `single-${i}`;
    let src = sources.get(key);
    if (src === undefined) {
      const n = sources.size + 1;
      src = `127.1.${n >> 8}.${n & 255}`;
      sources.set(key, src);
    }
    return {
      src,
      srcPort: d.port,
      dst: '127.0.0.1',
      dstPort: GELF_PORT,
      payload: d.payload,
      timeMs: d.timeMs,
    };
  });
  const dir = mkdtempSync(join(tmpdir(), 'otel-gelf-pcap-'));
  try {
    const file = join(dir, 'gelf.pcap');
    writeFileSync(file, pcapOf(packets));
    const r = spawnSync(
      'tshark',
      [
        '-n',
        '-r',
        file,
        '-d',
        `udp.port==${GELF_PORT},gelf`,
        '-T',
        'json',
        '--no-duplicate-keys',
        '-J',
        'frame gelf json',
      ],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out: Array<{ fields: Record<string, unknown>; gelf: Record<string, unknown> }> = [];
    for (const packet of JSON.parse(r.stdout) as Array<{
      _source: { layers: Record<string, any> };
    }>) {
      const layers = packet._source.layers;
      expect(JSON.stringify(layers)).not.toMatch(/_ws\.(malformed|expert)/);
      if (layers.json === undefined) continue;
      const object = layers.json['json.object'];
      const members = [object['json.member_tree']].flat();
      const fields: Record<string, unknown> = {};
      for (const m of members) {
        if ('json.value.string' in m) fields[m['json.key']] = m['json.value.string'];
        else if ('json.value.number' in m) fields[m['json.key']] = Number(m['json.value.number']);
        else fields[m['json.key']] = m;
      }
      out.push({ fields, gelf: layers.gelf });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasTshark)("conformance: Wireshark's GELF dissector decodes what we send", () => {
  it('decodes our UDP messages (plain, gzip, zlib, auto; one datagram and chunked) field by field', async () => {
    received.length = 0;
    const sent: RequestSummary[] = [];
    const cases: Array<[GelfCompression, number]> = [
      ['none', 1420],
      ['gzip', 1420],
      ['zlib', 1420],
      ['auto', 1420],
      ['none', 512],
      ['auto', 8154],
    ];
    for (const [compression, chunkSize] of cases) {
      const transport = new UdpTransport({
        host: '127.0.0.1',
        port: sinkPort,
        compression,
        chunkSize,
      });
      for (const s of [
        withId({ operations: [operation('fast_stuff', [1, 2])] }),
        withId(),
        withId({ operations: bigOps }),
      ]) {
        const payload = Buffer.from(
          JSON.stringify(toGelf(s, { host: HOST, maxBytes: transport.maxPayloadBytes })),
        );
        expect(transport.send(payload)).toBe(true);
        sent.push(s);
      }
      await transport.close(5000);
    }
    await new Promise((r) => setTimeout(r, 100));
    const decoded = decodeWithTshark(received);
    expect(decoded).toHaveLength(sent.length);
    const chunkedSeen = decoded.filter((d) => d.gelf['gelf.chunked'] === '1');
    expect(chunkedSeen.length).toBeGreaterThanOrEqual(4);
    for (const d of chunkedSeen)
      expect(Number(d.gelf['gelf.chunk.count'])).toBeLessThanOrEqual(128);
    for (const s of sent) {
      const matches = decoded.filter((d) => d.fields._trace_id === s.traceId);
      expect(matches).toHaveLength(1);
      expect(matches[0]!.fields).toEqual(toGelf(s, { host: HOST }));
    }
  });

  it("decodes gelf-pro's output the same way", async () => {
    received.length = 0;
    const exporter = new GelfSummaryExporter({
      endpoint: `udp://127.0.0.1:${sinkPort}`,
      transport: 'gelf-pro',
      host: HOST,
    });
    const sent = [withId(), withId({ operations: bigOps })];
    exporter.export(sent, () => {});
    await exporter.forceFlush();
    await waitUntil(() => received.length >= 2, 5000, 'gelf-pro datagrams');
    await new Promise((r) => setTimeout(r, 100));
    await exporter.shutdown();
    const decoded = decodeWithTshark(received);
    expect(decoded).toHaveLength(2);
    for (const s of sent) {
      const match = decoded.find((d) => d.fields._trace_id === s.traceId);
      expect(match?.fields).toEqual(toGelf(s, { host: HOST }));
    }
  });
});
