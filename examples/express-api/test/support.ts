import { createGelfReceiver, type GelfReceiver, type ReceivedGelf } from '@otel-gelf/gelf-tail';
import { afterAll, beforeAll } from 'vitest';
import { type ServiceProcess, startService } from '../src/child-service.js';

/** An example running as a user would run it, sending to a gelf-tail receiver of the test. */
export interface RunningExample {
  receiver: GelfReceiver;
  service: ServiceProcess;
  /** Stops the service (it flushes), then the receiver. */
  close(): Promise<void>;
}

/** Starts a UDP receiver on a free port and the example at `cwd` pointed at it. */
async function runExample(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  instrumentation?: string,
): Promise<RunningExample> {
  const receiver = await createGelfReceiver({ host: '127.0.0.1', udp: 0 });
  try {
    const service = await startService({
      cwd,
      instrumentation,
      env: { OTEL_EXPORTER_GELF_ENDPOINT: `udp://127.0.0.1:${receiver.ports.udp}`, ...env },
      timeoutMs: 30_000,
    });
    return {
      receiver,
      service,
      close: async () => {
        await service.stop();
        await receiver.close();
      },
    };
  } catch (error) {
    await receiver.close();
    throw error;
  }
}

/** The example a describe block runs, and what its requests got back. */
export interface ExampleRun {
  readonly example: RunningExample;
  readonly exchanges: readonly Exchange[];
}

/**
 * Registers beforeAll/afterAll for the enclosing describe block: runs the example at `cwd`,
 * sends it the requests of `traffic` and waits for one GELF message per request; stops it after.
 */
export function useExample(
  cwd: string,
  env: NodeJS.ProcessEnv,
  traffic: (url: string) => Promise<Exchange[]>,
): ExampleRun {
  let example: RunningExample | undefined;
  let exchanges: Exchange[] = [];
  beforeAll(async () => {
    example = await runExample(cwd, env);
    exchanges = await traffic(example.service.url);
    await example.receiver.waitForMessages(exchanges.length, 20_000);
  }, 60_000);
  afterAll(async () => {
    await example?.close();
  });
  return {
    get example() {
      if (example === undefined) throw new Error('the example did not start');
      return example;
    },
    get exchanges() {
      return exchanges;
    },
  };
}

/** One request and what came back. */
export interface Exchange {
  method: string;
  status: number;
  body: unknown;
}

/** Sends `method path`; a POST carries a small JSON body. */
export async function send(url: string, method: 'GET' | 'POST', path = '/api'): Promise<Exchange> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: method === 'POST' ? { 'content-type': 'application/json' } : undefined,
    body: method === 'POST' ? '{"hello":"world"}' : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  return { method, status: res.status, body: await res.json() };
}

/**
 * After the service stopped (its shutdown flushed every summary), lets datagrams already on the
 * loopback reach the receiver, so that a count checks "exactly", not "at least".
 */
export async function settle(receiver: GelfReceiver, ms = 300): Promise<ReceivedGelf[]> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return receiver.messages;
}
