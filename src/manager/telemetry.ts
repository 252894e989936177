/**
 * Optional OpenTelemetry: one span per sync run and a few counters, through `@opentelemetry/api`
 * when it is installed (an optional peer). It is loaded lazily with a dynamic import the first
 * time a run starts, never at module load; without it, or without a registered SDK, this is a
 * no-op.
 *
 * @module
 * @internal
 */

/** The telemetry the sync engine reports to. @internal */
export interface Telemetry {
  /** Runs `fn` inside a span named `name`; records its failure. */
  span<T>(
    name: string,
    attributes: Record<string, string | number>,
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Adds to a counter (`abmkit.<name>`). */
  count(name: string, value: number, attributes: Record<string, string>): void;
}

interface OtelSpan {
  setAttribute(key: string, value: string | number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(error: unknown): unknown;
  end(): void;
}
interface OtelApi {
  trace: {
    getTracer(
      name: string,
      version?: string,
    ): {
      startActiveSpan<T>(name: string, fn: (span: OtelSpan) => T): T;
    };
  };
  metrics: {
    getMeter(
      name: string,
      version?: string,
    ): {
      createCounter(
        name: string,
        options?: { description?: string },
      ): {
        add(value: number, attributes?: Record<string, string>): void;
      };
    };
  };
}

/** A telemetry that does nothing. @internal */
export const noTelemetry: Telemetry = {
  span: (_name, _attributes, fn) => fn(),
  count: () => {},
};

/** Telemetry on top of a loaded `@opentelemetry/api`. @internal */
export function otelTelemetry(api: OtelApi, version: string): Telemetry {
  const tracer = api.trace.getTracer('abmkit', version);
  const meter = api.metrics.getMeter('abmkit', version);
  const counters = new Map<
    string,
    { add(value: number, attributes?: Record<string, string>): void }
  >();
  return {
    span: (name, attributes, fn) =>
      tracer.startActiveSpan(name, async (span) => {
        for (const [key, value] of Object.entries(attributes)) span.setAttribute(key, value);
        try {
          return await fn();
        } catch (error) {
          span.recordException(error);
          span.setStatus({ code: 2, message: (error as { code?: string }).code ?? 'error' });
          throw error;
        } finally {
          span.end();
        }
      }),
    count: (name, value, attributes) => {
      let counter = counters.get(name);
      if (counter === undefined) {
        counter = meter.createCounter(`abmkit.${name}`);
        counters.set(name, counter);
      }
      counter.add(value, attributes);
    },
  };
}

/**
 * Loads `@opentelemetry/api` if present. Never throws: a missing package means no telemetry.
 * @internal
 */
export async function loadTelemetry(mode: 'auto' | false, version: string): Promise<Telemetry> {
  if (mode === false) return noTelemetry;
  try {
    const specifier = '@opentelemetry/api';
    const api = (await import(specifier)) as OtelApi & { default?: OtelApi };
    const resolved = typeof api.trace?.getTracer === 'function' ? api : api.default;
    return resolved === undefined ? noTelemetry : otelTelemetry(resolved, version);
  } catch {
    return noTelemetry;
  }
}

/**
 * A telemetry whose backend loads on first use; calls before it is loaded are no-ops.
 * @internal
 */
export class LazyTelemetry implements Telemetry {
  #impl: Telemetry = noTelemetry;
  #loading: Promise<void> | undefined;
  readonly #mode: 'auto' | false;
  readonly #version: string;

  constructor(mode: 'auto' | false, version: string) {
    this.#mode = mode;
    this.#version = version;
  }

  /** Starts loading (idempotent) and resolves when done. */
  ready(): Promise<void> {
    this.#loading ??= loadTelemetry(this.#mode, this.#version).then((impl) => {
      this.#impl = impl;
    });
    return this.#loading;
  }

  span<T>(
    name: string,
    attributes: Record<string, string | number>,
    fn: () => Promise<T>,
  ): Promise<T> {
    return this.#impl.span(name, attributes, fn);
  }

  count(name: string, value: number, attributes: Record<string, string>): void {
    this.#impl.count(name, value, attributes);
  }
}
