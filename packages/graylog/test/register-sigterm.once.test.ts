import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from './helpers.js';

const root = resolve(import.meta.dirname, '../../..');
const app = join(import.meta.dirname, 'fixtures', 'register-server.mjs');

let receiver: GelfReceiver;
beforeAll(async () => {
  receiver = await createGelfReceiver({ tcp: 0, http: 0, maxStoredMessages: 100_000 });
});
afterAll(async () => {
  await receiver.close();
});

function startService(endpoint: string, env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@otel-gelf/source',
      '--import',
      'tsx',
      '--import',
      './packages/graylog/src/register.ts',
      app,
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        OTEL_EXPORTER_GELF_ENDPOINT: endpoint,
        OTEL_SERVICE_NAME: 'sigterm',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exit, out: () => out, err: () => err };
}

/** GET / on `agent`; resolves with the body of a 200, or undefined for anything else. */
function get(port: number, agent: Agent): Promise<string | undefined> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => done(res.statusCode === 200 ? body : undefined));
      res.on('error', () => done(undefined));
    });
    req.on('error', () => done(undefined));
    req.end();
  });
}

/**
 * A service pointed at an HTTP receiver that never answers (its flush can only wait), once it
 * has answered five requests. `close` stops the receiver.
 */
async function serviceWithHangingReceiver(env: Record<string, string> = {}) {
  const { createServer } = await import('node:http');
  const hanging = createServer(() => {});
  hanging.listen(0, '127.0.0.1');
  await once(hanging, 'listening');
  const service = startService(
    `http://127.0.0.1:${(hanging.address() as { port: number }).port}/gelf`,
    env,
  );
  const close = () => {
    hanging.closeAllConnections();
    hanging.close();
  };
  try {
    await waitUntil(() => service.out().includes('\n'), 20_000, 'the service to listen');
    const { port } = JSON.parse(service.out()) as { port: number };
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 5; i++) await get(port, agent);
    agent.destroy();
  } catch (error) {
    close();
    throw error;
  }
  return { service, close };
}

describe('register and SIGTERM under load', () => {
  for (const transport of ['tcp', 'http'] as const) {
    it(`over ${transport}: every request answered 200 has its message at the receiver, or the counters account for it`, async () => {
      const endpoint =
        transport === 'tcp'
          ? `tcp://127.0.0.1:${receiver.ports.tcp}`
          : `http://127.0.0.1:${receiver.ports.http}/gelf`;
      const service = startService(endpoint);
      await waitUntil(() => service.out().includes('\n'), 20_000, 'the service to listen');
      const { port } = JSON.parse(service.out()) as { port: number };
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const answered: string[] = [];
      let stop = false;
      // 16 clients in a loop until the service is gone.
      const clients = Array.from({ length: 16 }, async () => {
        while (!stop) {
          const id = await get(port, agent);
          if (id === undefined) {
            if (service.child.exitCode !== null || service.child.signalCode !== null) return;
            continue;
          }
          answered.push(id);
        }
      });
      await waitUntil(() => answered.length >= 1000, 30_000, '1000 answered requests');
      service.child.kill('SIGTERM');
      const [code, signal] = await service.exit;
      stop = true;
      await Promise.all(clients);
      agent.destroy();
      // Ended by the signal, as it would have been without us.
      expect({ code, signal }, service.err()).toEqual({ code: null, signal: 'SIGTERM' });
      expect(service.err()).toContain('RERAISE SIGTERM');
      const line = service
        .err()
        .split('\n')
        .find((l) => l.startsWith('STATS '));
      expect(line, service.err()).toBeDefined();
      const { stats, gelf } = JSON.parse(line!.slice(6));
      const ids = new Set(answered);
      const atReceiver = new Set<unknown>();
      await waitUntil(
        () => {
          atReceiver.clear();
          for (const m of receiver.messages) {
            if (m.message._service_name === 'sigterm' && ids.has(m.message._trace_id as string)) {
              atReceiver.add(m.message._trace_id);
            }
          }
          return atReceiver.size >= stats.exported;
        },
        10_000,
        'the exported messages',
      );
      const missing = answered.filter((id) => !atReceiver.has(id)).length;
      // Healthy receiver: nothing dropped or failed, nothing left queued; every exported
      // summary arrived.
      expect(stats).toMatchObject({
        droppedQueueFull: 0,
        droppedByExporter: 0,
        failed: 0,
        queued: 0,
        exporting: 0,
      });
      expect(gelf).toMatchObject({ dropped: 0, failed: 0, pending: 0 });
      expect(atReceiver.size).toBe(answered.length - missing);
      // Every 200 without a message is one of the requests that ended after shutdown began.
      expect(missing).toBeLessThanOrEqual(stats.afterShutdown);
      expect(stats.exported + stats.afterShutdown).toBeGreaterThanOrEqual(answered.length);
    }, 90_000);
  }

  it('a second SIGTERM ends the process at once, while the first one still flushes', async () => {
    // A receiver that never answers: the flush would take until its timeout.
    const { service, close } = await serviceWithHangingReceiver();
    try {
      // Let the batch reach the hanging receiver, so the flush has something to wait for.
      await new Promise((r) => setTimeout(r, 1500));
      service.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      service.child.kill('SIGTERM');
      const [code, signal] = await service.exit;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      // The second signal ended it: the shutdown never resolved, and register never had to
      // raise the signal again (its deadline had not come).
      expect(service.err()).not.toContain('STATS ');
      expect(service.err()).not.toContain('RERAISE');
    } finally {
      close();
    }
  }, 60_000);

  it('a flush that cannot finish: the process still ends with the signal after the deadline, saying how many summaries it could not deliver', async () => {
    const { service, close } = await serviceWithHangingReceiver({ OTEL_LOG_LEVEL: 'warn' });
    try {
      service.child.kill('SIGTERM');
      const [code, signal] = await service.exit;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(service.err()).toContain('RERAISE SIGTERM');
      expect(service.err()).toMatch(/SIGTERM: 5 summaries not delivered/);
    } finally {
      close();
    }
  }, 60_000);
});
