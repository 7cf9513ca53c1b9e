import { setTimeout as sleep } from 'node:timers/promises';
import { timeit } from '@otel-gelf/timeit';

/** The range `some_slow_stuff` sleeps in, in ms (both ends included). */
export interface SlowRange {
  minMs: number;
  maxMs: number;
}

/**
 * The two functions of the Flask example, each call a span: `some_slow_stuff` (10–1000 ms at
 * random by default) and `fast_stuff` (1 ms).
 */
export function createWork(range: SlowRange) {
  const some_slow_stuff = timeit('some_slow_stuff', async () => {
    await sleep(range.minMs + Math.floor(Math.random() * (range.maxMs - range.minMs + 1)));
  });
  const fast_stuff = timeit('fast_stuff', async () => {
    await sleep(1);
  });
  return { some_slow_stuff, fast_stuff };
}
