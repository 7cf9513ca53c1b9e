/** bench/sink.mjs in a child process (so its CPU is not the sender's), and how to ask it. */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/** The counting sink: its ports, what it counted so far, and how to stop it. */
export interface Sink {
  ports: { udp: number; tcp: number; http: number };
  count(): Promise<{ udp: number; tcp: number; http: number }>;
  close(): void;
}

/** Starts bench/sink.mjs and resolves once it listens. */
export async function startSink(): Promise<Sink> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'sink.mjs'), { stdio: 'inherit' });
  const ports = await new Promise<Sink['ports']>((resolve) =>
    child.once('message', (m: any) => resolve(m.ports)),
  );
  return {
    ports,
    count: () =>
      new Promise((resolve) => {
        child.once('message', (m: any) => resolve(m.counts));
        child.send('count');
      }),
    close: () => child.send('exit'),
  };
}
