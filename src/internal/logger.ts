import { redactValue } from './redact.js';

/** A log method in pino's shape: `(obj, msg?)` or `(msg)`. */
export type LogFn = {
  (obj: object, msg?: string): void;
  (msg: string): void;
};

/**
 * A pino-compatible logger. pino, bunyan and (with a thin wrapper) winston or `console` fit.
 * abmkit redacts secrets itself before calling it; no `redact` configuration is needed.
 */
export interface AbmLogger {
  /** Errors that stop an operation. */
  error: LogFn;
  /** Problems abmkit recovered from. */
  warn: LogFn;
  /** Lifecycle: sync started/completed, token state changes. */
  info: LogFn;
  /** Per-request and per-page detail (cursors appear here only). */
  debug: LogFn;
  /** Optional: a logger that adds `bindings` to every line. */
  child?: (bindings: Record<string, unknown>) => AbmLogger;
}

const noop = (): void => {};

/** A logger that discards everything: the default. */
export const silentLogger: AbmLogger = Object.freeze({
  error: noop,
  warn: noop,
  info: noop,
  debug: noop,
  child: () => silentLogger,
});

/**
 * Wraps a logger so that every object and message passes through {@link redactValue} first.
 * @internal
 */
export function redactingLogger(logger: AbmLogger | undefined): AbmLogger {
  if (!logger || logger === silentLogger) return silentLogger;
  const wrap = (level: 'error' | 'warn' | 'info' | 'debug'): LogFn =>
    ((objOrMsg: object | string, msg?: string) => {
      if (typeof objOrMsg === 'string') {
        logger[level](redactValue(objOrMsg) as string);
      } else if (msg === undefined) {
        logger[level](redactValue(objOrMsg) as object);
      } else {
        logger[level](redactValue(objOrMsg) as object, redactValue(msg) as string);
      }
    }) as LogFn;
  return {
    error: wrap('error'),
    warn: wrap('warn'),
    info: wrap('info'),
    debug: wrap('debug'),
    child: (bindings) =>
      redactingLogger(
        logger.child ? logger.child(redactValue(bindings) as Record<string, unknown>) : logger,
      ),
  };
}
