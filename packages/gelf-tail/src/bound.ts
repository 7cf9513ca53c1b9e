import type { EventEmitter } from 'node:events';

/**
 * Resolves once `start` (which binds a socket or server) calls `ready`; an `error` before then
 * (port taken, address not available) rejects instead. Errors after binding are left to the
 * caller's own handler.
 */
export function bound(emitter: EventEmitter, start: (ready: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    emitter.once('error', reject);
    start(() => {
      emitter.off('error', reject);
      resolve();
    });
  });
}
