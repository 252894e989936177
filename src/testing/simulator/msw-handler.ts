/**
 * An msw request handler (msw's `HttpHandler`), as {@link DepSimulator.handlers} and
 * `depSimulatorHandlers` return them: pass them to msw's `setupServer(...)`. Typed loosely on
 * purpose, so that the declarations of `abmkit/testing` do not require msw to be installed (a
 * strict consumer with `skipLibCheck: false` and no msw still type-checks).
 */
// biome-ignore lint/suspicious/noExplicitAny: referencing msw's type would make msw a required dependency of the declarations
export type MswHandler = any;
