import { AbmError, type AbmErrorOptions } from './abm-error.js';

/**
 * A device's MachineInfo could not be read: not base64, not BER/CMS SignedData, not an XML plist,
 * or over a size/nesting limit. The request is malformed (answer `400`); nothing about the
 * device can be trusted. {@link MachineInfoInvalidError.reason} names the failed step.
 */
export class MachineInfoInvalidError extends AbmError {
  declare readonly code: 'MACHINE_INFO_INVALID';
  /** Which step failed: `encoding`, `cms`, `plist` or `limit`. */
  readonly reason: 'encoding' | 'cms' | 'plist' | 'limit';
  constructor(
    message: string,
    options: AbmErrorOptions & { reason?: MachineInfoInvalidError['reason'] } = {},
  ) {
    super('MACHINE_INFO_INVALID', message, options);
    this.name = 'MachineInfoInvalidError';
    this.reason = options.reason ?? 'cms';
  }
}

/**
 * A device's MachineInfo is well-formed but its signature cannot be trusted: the signature or
 * digest does not match, the signer is not in the certificate bag, there is not exactly one
 * signer, or the chain does not end at a trusted device CA (by default Apple's pinned
 * "Apple iPhone Device CA"). Answer `403`. {@link MachineInfoUntrustedError.reason} names the check.
 */
export class MachineInfoUntrustedError extends AbmError {
  declare readonly code: 'MACHINE_INFO_UNTRUSTED';
  /** Which check failed. */
  readonly reason: 'signers' | 'signer-certificate' | 'digest' | 'signature' | 'chain';
  constructor(
    message: string,
    options: AbmErrorOptions & { reason?: MachineInfoUntrustedError['reason'] } = {},
  ) {
    super('MACHINE_INFO_UNTRUSTED', message, options);
    this.name = 'MachineInfoUntrustedError';
    this.reason = options.reason ?? 'signature';
  }
}
