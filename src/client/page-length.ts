import { ResponseValidationError } from '../errors/index.js';
import type { DeviceListResponse } from '../resources/device-list.js';
import type { Operation } from '../resources/operation.js';

/**
 * Refuses a fetch or sync page that carries more devices than the `limit` that was sent (Apple
 * sends at most `limit`, itself at most 1000). A server that ignores the limit is not Apple, or
 * is broken: its page is not applied.
 * @internal
 */
export function checkPageLength(
  page: DeviceListResponse,
  limit: number,
  op: Operation<unknown>,
): void {
  const count = page.devices?.length ?? 0;
  if (count <= limit) return;
  throw new ResponseValidationError(
    `The answer to ${op.name} (${op.method} ${op.path}) carried ${count} devices, more than the limit of ${limit} that was asked for (Apple sends at most the limit, and never more than 1000). The page was not used; check baseUrl.`,
    {
      operation: op.name,
      method: op.method,
      path: op.path,
      issues: [{ path: ['devices'], message: `more than ${limit} devices` }],
      retryable: false,
    },
  );
}
