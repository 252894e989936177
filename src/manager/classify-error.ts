import { isAbmError } from '../errors/index.js';
import { redactString } from '../internal/redact.js';
import type { LeaseKeeper } from './lease-keeper.js';

/** A secret-free `{ code, message }` of any error, for reports, history and health. @internal */
export function describeError(error: unknown): { code: string; message: string } {
  if (isAbmError(error)) return { code: error.code, message: redactString(error.message) };
  if (error instanceof Error && error.name === 'AbortError') {
    return { code: 'ABORTED', message: 'The sync run was stopped.' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'UNEXPECTED_ERROR', message: redactString(message) };
}

/** Whether `error` means "stop" (manager stopping, lease lost) rather than a failure. @internal */
export function isStop(error: unknown, lease: LeaseKeeper): boolean {
  return (
    lease.signal.aborted ||
    lease.lost ||
    isAbmError(error, 'ABORTED') ||
    isAbmError(error, 'LEASE_LOST') ||
    (error instanceof Error && error.name === 'AbortError')
  );
}
