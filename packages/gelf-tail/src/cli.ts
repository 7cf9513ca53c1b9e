#!/usr/bin/env node
// gelf-tail: listens for GELF and prints each message (a request summary) readably.
import { parseArgs } from 'node:util';
import { formatSummary } from './format.js';
import { createGelfReceiver } from './receiver.js';
import type { GelfReceiver, GelfReceiverOptions } from './types.js';

const USAGE = `Usage: gelf-tail [options]

Listens for GELF messages and prints each one as it arrives.
With no --udp/--tcp/--http, listens on UDP and TCP 12201; a port "off" disables one.

Options:
  --host <addr>   address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)
  --udp <port>    listen for UDP (chunked, gzip/zlib) on <port>; 0 = any free port
  --tcp <port>    listen for TCP (NUL-framed) on <port>; 0 = any free port
  --http <port>   listen for HTTP POST /gelf on <port>; 0 = any free port
  --json          print one JSON line per message instead of the readable summary
  -h, --help      show this help

The bound ports are printed on stderr at start ("gelf-tail listening on …").
Colors are used when stdout is a terminal and NO_COLOR is not set.
`;

function fail(message: string, code: number): never {
  process.stderr.write(`gelf-tail: ${message}\n`);
  process.exit(code);
}

function parsePort(name: string, value: string | undefined): number | false | undefined {
  if (value === undefined) return undefined;
  if (value === 'off' || value === 'false') return false;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    fail(
      `--${name} wants a port number 0–65535 or "off" (got ${JSON.stringify(value)})\n\n${USAGE}`,
      2,
    );
  }
  return port;
}

function parseCli(): { options: GelfReceiverOptions; json: boolean } {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return {
    options: {
      host: values.host,
      udp: parsePort('udp', values.udp),
      tcp: parsePort('tcp', values.tcp),
      http: parsePort('http', values.http),
    },
    json: values.json === true,
  };
}

function parse() {
  return parseArgs({
    options: {
      host: { type: 'string' },
      udp: { type: 'string' },
      tcp: { type: 'string' },
      http: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

function describeListeners(receiver: GelfReceiver): string {
  const host = receiver.host.includes(':') ? `[${receiver.host}]` : receiver.host;
  const parts: string[] = [];
  if (receiver.ports.udp !== undefined) parts.push(`udp ${host}:${receiver.ports.udp}`);
  if (receiver.ports.tcp !== undefined) parts.push(`tcp ${host}:${receiver.ports.tcp}`);
  if (receiver.ports.http !== undefined)
    parts.push(`http http://${host}:${receiver.ports.http}/gelf`);
  return parts.join(', ');
}

async function main(): Promise<void> {
  const { options, json } = parseCli();
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const errColor = process.stderr.isTTY === true && !process.env.NO_COLOR;

  let receiver: GelfReceiver;
  try {
    receiver = await createGelfReceiver(options);
  } catch (err) {
    fail(`cannot listen: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
  if (Object.keys(receiver.ports).length === 0) {
    await receiver.close();
    fail('nothing to listen on (every transport is off)', 2);
  }

  receiver.on('message', (m) => {
    process.stdout.write(json ? `${JSON.stringify(m)}\n` : `${formatSummary(m, { color })}\n`);
  });
  receiver.on('invalid', (i) => {
    const from = i.remote === '' ? '' : ` from ${i.remote}`;
    const line = `gelf-tail: invalid ${i.transport}${from}: ${i.reason}`;
    process.stderr.write(errColor ? `\u001b[33m${line}\u001b[0m\n` : `${line}\n`);
  });
  // `gelf-tail | head` closes our stdout: stop quietly rather than crash on EPIPE.
  process.stdout.on('error', () => {
    void stop(0);
  });

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) process.exit(code);
    stopping = true;
    // Should closing hang, do not keep a Ctrl-C'd tool alive.
    setTimeout(() => process.exit(code), 2000).unref();
    await receiver.close();
    const s = receiver.stats();
    process.stderr.write(
      `gelf-tail: stopped after ${s.received} message(s), ${s.invalid} invalid, ${s.withViolations} with violations\n`,
    );
    process.exitCode = code;
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  process.stderr.write(`gelf-tail listening on ${describeListeners(receiver)}\n`);
}

void main();
