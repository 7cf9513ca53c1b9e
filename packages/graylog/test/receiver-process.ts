import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import type { GelfReceiverStats } from '@otel-gelf/gelf-tail';

const root = resolve(import.meta.dirname, '../../..');
const fixture = join(import.meta.dirname, 'fixtures', 'gelf-tail-child.ts');

/** What a {@link ReceiverProcess} has received so far. */
export interface ReceivedCount {
  received: number;
  /** Distinct `_trace_id`s: a message counted twice would show here. */
  distinct: number;
  stats: GelfReceiverStats;
}

/** A gelf-tail receiver running in a child process. */
export interface ReceiverProcess {
  ports: { udp?: number; tcp?: number; http?: number };
  count(): Promise<ReceivedCount>;
  /** Resolves once `n` distinct messages arrived; rejects after `timeoutMs` saying how many did. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedCount>;
  close(): Promise<void>;
  child: ChildProcess;
}

/** Starts gelf-tail in a child process (UDP, TCP and HTTP on free ports, or TCP on `tcpPort`). */
export async function startReceiverProcess(tcpPort?: number): Promise<ReceiverProcess> {
  const args = tcpPort === undefined ? [] : ['--tcp', String(tcpPort)];
  const child = fork(fixture, args, {
    cwd: root,
    execArgv: ['--conditions=@otel-gelf/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [first] = (await once(child, 'message')) as [{ ports: ReceiverProcess['ports'] }];
  const count = async (): Promise<ReceivedCount> => {
    child.send('count');
    const [answer] = (await once(child, 'message')) as [ReceivedCount];
    return answer;
  };
  return {
    ports: first.ports,
    child,
    count,
    async waitFor(n, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await count();
        if (c.distinct >= n) return c;
        if (Date.now() > deadline) {
          throw new Error(`${c.distinct} of ${n} messages arrived within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.send('close');
      await exited;
    },
  };
}
