import { MachineInfoInvalidError, MachineInfoUntrustedError } from '../errors/index.js';

const MALFORMED_ADVICE =
  'Answer 400: pass the raw POST body (DER/BER bytes) or the x-apple-aspen-deviceinfo header value unchanged; anything else is not a device request.';
const UNTRUSTED_ADVICE =
  'Answer 403: the request was not signed by a trusted device identity. Real devices chain to Apple iPhone Device CA; for the simulator or tests pass its CA in `trustAnchors`.';

/** Throws the "malformed" error with advice. @internal */
export function malformed(
  what: string,
  reason: MachineInfoInvalidError['reason'] = 'cms',
  cause?: unknown,
): never {
  throw new MachineInfoInvalidError(`${what} ${MALFORMED_ADVICE}`, {
    reason,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Throws the "untrusted" error with advice. @internal */
export function untrusted(what: string, reason: MachineInfoUntrustedError['reason']): never {
  throw new MachineInfoUntrustedError(`${what} ${UNTRUSTED_ADVICE}`, { reason });
}
