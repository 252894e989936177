import { describe, expect, it } from 'vitest';
import { DeviceIterator } from '../../../src/pagination/device-iterator.js';
import type { AdeDevice } from '../../../src/schemas/device.js';

const dev = (serial: string): AdeDevice => ({ serial_number: serial });

/** A page source that records what happened to it. */
function source(pages: (string[] | Error)[]) {
  const log: string[] = [];
  async function* gen(): AsyncGenerator<{ devices: AdeDevice[] }, void, undefined> {
    try {
      for (const [i, page] of pages.entries()) {
        log.push(`page ${i}`);
        if (page instanceof Error) throw page;
        yield { devices: page.map(dev) };
      }
    } finally {
      log.push('closed');
    }
  }
  return { log, iterator: new DeviceIterator(gen()) };
}

async function serials(it: AsyncIterable<AdeDevice>): Promise<string[]> {
  const out: string[] = [];
  for await (const d of it) out.push(d.serial_number);
  return out;
}

describe('DeviceIterator', () => {
  it('yields every device of every page in order, skipping empty pages', async () => {
    const { iterator, log } = source([['A', 'B'], [], ['C']]);
    expect(await serials(iterator)).toEqual(['A', 'B', 'C']);
    expect(log).toEqual(['page 0', 'page 1', 'page 2', 'closed']);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('fetches no page before the first next()', async () => {
    const { iterator, log } = source([['A']]);
    expect(log).toEqual([]);
    await iterator.next();
    expect(log).toEqual(['page 0']);
  });

  it('closes the page iterator on break, without reading further pages', async () => {
    const { iterator, log } = source([['A', 'B'], ['C']]);
    for await (const d of iterator) if (d.serial_number === 'A') break;
    expect(log).toEqual(['page 0', 'closed']);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('passes a page failure on once, then is done', async () => {
    const boom = new Error('boom');
    const { iterator, log } = source([['A'], boom, ['C']]);
    expect(await iterator.next()).toEqual({ value: dev('A'), done: false });
    await expect(iterator.next()).rejects.toBe(boom);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(log).toEqual(['page 0', 'page 1', 'closed']);
  });

  it('throw() closes the page iterator and rejects with the error', async () => {
    const { iterator, log } = source([['A', 'B']]);
    await iterator.next();
    const err = new Error('stop');
    await expect(iterator.throw(err)).rejects.toBe(err);
    expect(log).toEqual(['page 0', 'closed']);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('serves concurrent calls in order, each device once', async () => {
    const { iterator } = source([['A', 'B'], ['C'], ['D', 'E']]);
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => iterator.next()));
    expect(results.map((r) => (r.done ? 'done' : r.value.serial_number))).toEqual([
      'A',
      'B',
      'C',
      'D',
      'E',
      'done',
    ]);
  });

  it('queues return() behind a pending next()', async () => {
    const { iterator, log } = source([['A'], ['B']]);
    const [first, closed, after] = await Promise.all([
      iterator.next(),
      iterator.return(),
      iterator.next(),
    ]);
    expect(first).toEqual({ value: dev('A'), done: false });
    expect(closed).toEqual({ value: undefined, done: true });
    expect(after).toEqual({ value: undefined, done: true });
    expect(log).toEqual(['page 0', 'closed']);
  });

  it('is its own async iterator', () => {
    const { iterator } = source([]);
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator);
  });
});
