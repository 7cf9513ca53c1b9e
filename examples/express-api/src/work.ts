import { setTimeout as sleep } from 'node:timers/promises';
import { annotateRequest } from '@otel-gelf/graylog';
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
  return { some_slow_stuff, fast_stuff, profileOf: createProfileCache() };
}

/** What the service knows of a user. */
export interface Profile {
  userId: string;
  plan: 'free' | 'pro';
}

/** Users whose profile the cache keeps; past it, the cache starts over. */
const CACHED_PROFILES = 1000;

/**
 * A user's profile, from a small in-memory cache or else loaded (`load_profile`, 5 ms). Deep in
 * the request, it notes a cache hit or miss on the request's one message (`_cache`), as any
 * code under the route can.
 */
function createProfileCache(): (userId: string) => Promise<Profile> {
  const cache = new Map<string, Profile>();
  const load_profile = timeit('load_profile', async (userId: string): Promise<Profile> => {
    await sleep(5);
    return { userId, plan: userId.length % 2 === 0 ? 'pro' : 'free' };
  });
  return async (userId) => {
    const cached = cache.get(userId);
    annotateRequest({ cache: cached === undefined ? 'miss' : 'hit' });
    if (cached !== undefined) return cached;
    const profile = await load_profile(userId);
    if (cache.size >= CACHED_PROFILES) cache.clear();
    cache.set(userId, profile);
    return profile;
  };
}
