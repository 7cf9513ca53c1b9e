// A cheap GELF sink for the benchmark, run as a child process so its CPU is not the sender's:
// counts UDP messages (an unchunked datagram, or the chunk with sequence number 0), NUL-terminated
// TCP frames and HTTP requests (answered 202). It never parses JSON.
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

const counts = { udp: 0, tcp: 0, http: 0 };
const udp = createSocket('udp4');
udp.on('message', (msg) => {
  if (msg[0] !== 0x1e || msg[1] !== 0x0f || msg[10] === 0) counts.udp++;
});
const tcp = createServer((socket) => {
  socket.on('data', (data) => {
    let i = data.indexOf(0);
    while (i !== -1) {
      counts.tcp++;
      i = data.indexOf(0, i + 1);
    }
  });
  socket.on('error', () => {});
});
const http = createHttpServer((req, res) => {
  req.resume();
  req.on('end', () => {
    counts.http++;
    res.statusCode = 202;
    res.end();
  });
});
http.keepAliveTimeout = 60_000;

await new Promise((r) => udp.bind(0, '127.0.0.1', r));
udp.setRecvBufferSize(16 * 1024 * 1024);
await new Promise((r) => tcp.listen(0, '127.0.0.1', r));
await new Promise((r) => http.listen(0, '127.0.0.1', r));
process.send({
  ports: { udp: udp.address().port, tcp: tcp.address().port, http: http.address().port },
});
process.on('message', (m) => {
  if (m === 'count') process.send({ counts });
  if (m === 'exit') process.exit(0);
});
