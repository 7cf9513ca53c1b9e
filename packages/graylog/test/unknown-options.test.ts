import { describe, expect, it } from 'vitest';
import { findUnknownKeys } from '../src/unknown-options.js';

const KNOWN = ['endpoint', 'host', 'chunkSize', 'samples', 'maxQueueSize', 'rejectUnauthorized'];

describe('findUnknownKeys', () => {
  it('accepts known keys', () => {
    expect(findUnknownKeys({ endpoint: 'udp://h', samples: 3 }, KNOWN)).toEqual([]);
  });

  it.each([
    ['endpiont', 'endpoint'], // swapped neighbours
    ['endpoit', 'endpoint'], // a letter missing
    ['chunksize', 'chunkSize'], // case
    ['sample', 'samples'],
    ['hots', 'host'],
    ['maxQueSize', 'maxQueueSize'],
    ['rejectUnauthorised', 'rejectUnauthorized'],
  ])('suggests the nearest known key for %j', (typo, meant) => {
    expect(findUnknownKeys({ [typo]: 1 }, KNOWN)).toEqual([
      `unknown option "${typo}" (did you mean "${meant}"?)`,
    ]);
  });

  it('suggests nothing when no known key is near', () => {
    expect(findUnknownKeys({ banana: 1, url: 'udp://h' }, KNOWN)).toEqual([
      'unknown option "banana"',
      'unknown option "url"',
    ]);
  });

  it('puts the prefix on both names', () => {
    expect(findUnknownKeys({ servrname: 'x' }, ['servername'], 'tls.')).toEqual([
      'unknown option "tls.servrname" (did you mean "tls.servername"?)',
    ]);
  });
});
