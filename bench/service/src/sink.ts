/*
 * The benchmark's sinks, in a child process on the load generator's core so that their CPU is
 * not the service's: GELF over UDP (a message is a whole datagram or the chunk with sequence
 * number 0) and TCP (NUL-terminated frames), and OTLP/HTTP (each POST answered 200, its spans
 * counted). Every byte read from the network is counted; nothing is parsed beyond that.
 */
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { countOtlpSpans } from './otlp-spans.js';
import type { SinkCommand, SinkCounts, SinkReport } from './protocol.js';

const counts: Record<string, SinkCounts> = {};
const report = (message: SinkReport): void => {
  process.send!(message);
};

function listenUdp(c: SinkCounts): Promise<number> {
  const socket = createSocket('udp4');
  socket.on('message', (datagram) => {
    c.bytes += datagram.length;
    const chunked = datagram[0] === 0x1e && datagram[1] === 0x0f;
    if (!chunked || datagram[10] === 0) c.messages++;
  });
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () => {
      socket.setRecvBufferSize(32 * 1024 * 1024);
      resolve(socket.address().port);
    }),
  );
}

function listenTcp(c: SinkCounts): Promise<number> {
  const server = createServer((socket) => {
    socket.on('data', (data) => {
      c.bytes += data.length;
      for (let i = data.indexOf(0); i !== -1; i = data.indexOf(0, i + 1)) c.messages++;
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function listenOtlp(c: SinkCounts): Promise<number> {
  // Bytes read per connection so far: each request adds what its socket read since the last.
  const read = new WeakMap<Socket, number>();
  const server = createHttpServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const socket = req.socket;
      c.bytes += socket.bytesRead - (read.get(socket) ?? 0);
      read.set(socket, socket.bytesRead);
      c.messages++;
      c.spans += countOtlpSpans(Buffer.concat(parts));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

const LISTEN = { 'gelf-udp': listenUdp, 'gelf-tcp': listenTcp, 'otlp-http': listenOtlp };

process.on('message', async (command: SinkCommand) => {
  if (command.type === 'listen') {
    const c = { messages: 0, spans: 0, bytes: 0 };
    counts[command.name] = c;
    report({ type: 'listening', name: command.name, port: await LISTEN[command.kind](c) });
  } else if (command.type === 'count') {
    report({ type: 'counts', counts });
  } else if (command.type === 'reset') {
    for (const c of Object.values(counts)) {
      c.messages = 0;
      c.spans = 0;
      c.bytes = 0;
    }
    report({ type: 'counts', counts });
  } else process.exit(0);
});
process.on('disconnect', () => process.exit(0));
