import { describe, expectTypeOf, it } from 'vitest';
import {
  createGelfReceiver,
  formatSummary,
  type GelfReceiver,
  type GelfReceiverOptions,
  type InvalidGelf,
  type ReceivedGelf,
  validateGelf,
} from '../src/index.js';

describe('the pinned gelf-tail API', () => {
  it('createGelfReceiver takes optional options and resolves a GelfReceiver', () => {
    expectTypeOf(createGelfReceiver).parameter(0).toEqualTypeOf<GelfReceiverOptions | undefined>();
    expectTypeOf(createGelfReceiver).returns.resolves.toEqualTypeOf<GelfReceiver>();
    expectTypeOf<GelfReceiverOptions['udp']>().toEqualTypeOf<number | false | undefined>();
    expectTypeOf<GelfReceiverOptions['host']>().toEqualTypeOf<string | undefined>();
  });

  it('a receiver exposes ports, messages, waits, stats and close', () => {
    expectTypeOf<GelfReceiver['ports']>().toEqualTypeOf<{
      udp?: number;
      tcp?: number;
      http?: number;
    }>();
    expectTypeOf<GelfReceiver['messages']>().toEqualTypeOf<ReceivedGelf[]>();
    expectTypeOf<GelfReceiver['waitForMessages']>().returns.resolves.toEqualTypeOf<
      ReceivedGelf[]
    >();
    expectTypeOf<GelfReceiver['close']>().returns.resolves.toBeVoid();
    expectTypeOf<ReturnType<GelfReceiver['stats']>>()
      .toHaveProperty('chunkSetsExpired')
      .toBeNumber();
  });

  it('its events are typed', () => {
    const r = {} as GelfReceiver;
    r.on('message', (m) => expectTypeOf(m).toEqualTypeOf<ReceivedGelf>());
    r.on('invalid', (i) => expectTypeOf(i).toEqualTypeOf<InvalidGelf>());
    // @ts-expect-error: no such event
    r.on('mesage', () => {});
  });

  it('ReceivedGelf has the pinned fields', () => {
    expectTypeOf<ReceivedGelf['message']>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<ReceivedGelf['transport']>().toEqualTypeOf<'udp' | 'tcp' | 'http'>();
    expectTypeOf<ReceivedGelf['compression']>().toEqualTypeOf<'none' | 'gzip' | 'zlib'>();
    expectTypeOf<ReceivedGelf['violations']>().toEqualTypeOf<string[]>();
    expectTypeOf(validateGelf).toEqualTypeOf<(obj: unknown) => string[]>();
    expectTypeOf(formatSummary).parameter(0).toEqualTypeOf<ReceivedGelf>();
    expectTypeOf(formatSummary).returns.toBeString();
  });
});
