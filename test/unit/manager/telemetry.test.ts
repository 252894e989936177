import { metrics, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { enroll, type Harness, harness } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
  trace.disable();
  metrics.disable();
});

describe('AbmManager OpenTelemetry (optional peer, loaded lazily)', () => {
  it('records one span per sync run and assignment counters when an SDK is registered', async () => {
    const spans: { name: string; attributes: Record<string, unknown>; ended: boolean }[] = [];
    const counted: { name: string; value: number; attributes: unknown }[] = [];
    trace.setGlobalTracerProvider({
      getTracer: () =>
        ({
          startActiveSpan: (name: string, fn: (span: unknown) => unknown) => {
            const span = { name, attributes: {} as Record<string, unknown>, ended: false };
            spans.push(span);
            return fn({
              setAttribute: (k: string, v: unknown) => {
                span.attributes[k] = v;
              },
              setStatus: () => undefined,
              recordException: () => undefined,
              end: () => {
                span.ended = true;
              },
            });
          },
        }) as never,
    });
    metrics.setGlobalMeterProvider({
      getMeter: () =>
        ({
          createCounter: (name: string) => ({
            add: (value: number, attributes: unknown) =>
              void counted.push({ name, value, attributes }),
          }),
        }) as never,
    });
    h = await harness({ devices: 10 }, { telemetry: 'auto' });
    await enroll(h, 't');
    await h.manager.syncNow('t');
    expect(spans).toEqual([
      { name: 'abmkit.sync', attributes: { 'abmkit.token_id': 't' }, ended: true },
    ]);
    expect(counted).toContainEqual({
      name: 'abmkit.sync_runs',
      value: 1,
      attributes: { status: 'completed' },
    });
  });

  it('stays off with telemetry: false', async () => {
    const spans: string[] = [];
    trace.setGlobalTracerProvider({
      getTracer: () => ({ startActiveSpan: (name: string) => void spans.push(name) }) as never,
    });
    h = await harness({ devices: 5 }, { telemetry: false });
    await enroll(h, 't');
    expect((await h.manager.syncNow('t')).status).toBe('completed');
    expect(spans).toEqual([]);
  });
});
