import type { IncomingMessage } from 'node:http';

/*
 * Kept apart from downstream.ts on purpose: instrumentation.ts imports this file before the
 * HTTP instrumentation is enabled, so it must not load `node:http` at runtime (a type import
 * is erased).
 */

const ports = new Set<number>();

/** Remembers a port on which this process serves the inventory service. */
export function markDownstreamPort(port: number): void {
  ports.add(port);
}

/** Forgets a port marked with {@link markDownstreamPort}. */
export function unmarkDownstreamPort(port: number): void {
  ports.delete(port);
}

/**
 * True for a request the in-process inventory service receives. The HTTP instrumentation
 * leaves those out: to this service the inventory is a dependency, like a database, and its
 * own incoming requests would otherwise be a second "request" with a GELF message of its own.
 */
export function isInProcessDownstreamRequest(request: IncomingMessage): boolean {
  const port = request.socket?.localPort;
  return port !== undefined && ports.has(port);
}
