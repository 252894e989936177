import { InvalidArgumentError } from '../errors/index.js';

/** Checks a token id argument. @internal */
export function checkTokenId(tokenId: unknown): string {
  if (typeof tokenId !== 'string' || tokenId.length === 0 || tokenId.length > 256) {
    throw new InvalidArgumentError(
      'A token id must be a non-empty string of at most 256 characters.',
    );
  }
  return tokenId;
}

/** Checks a serial number argument. @internal */
export function checkSerial(serial: unknown): string {
  if (typeof serial !== 'string' || serial.length === 0 || serial.length > 256) {
    throw new InvalidArgumentError(
      'A serial number must be a non-empty string of at most 256 characters.',
    );
  }
  return serial;
}

/** Checks a list of serial numbers; returns them without repeats, in first-seen order. @internal */
export function checkSerials(serials: unknown): string[] {
  if (!Array.isArray(serials)) {
    throw new InvalidArgumentError('Serial numbers must be given as an array of strings.');
  }
  return [...new Set(serials.map(checkSerial))];
}

/** Checks a lease owner and TTL. @internal */
export function checkLeaseArgs(owner: unknown, ttlMs?: unknown): void {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 256) {
    throw new InvalidArgumentError(
      'A lease owner must be a non-empty string of at most 256 characters.',
    );
  }
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || (ttlMs as number) < 1)) {
    throw new InvalidArgumentError(
      'A lease TTL must be a positive integer number of milliseconds.',
    );
  }
}

/** Checks an ISO timestamp argument and normalises it (`toISOString`). @internal */
export function checkIso(value: unknown, what: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(`${what} must be an ISO 8601 timestamp string.`);
  }
  return new Date(ms).toISOString();
}

/** Checks the `patches` argument of `updateDevices`: an array of objects with a serial. @internal */
export function checkDevicePatches(patches: unknown): void {
  if (!Array.isArray(patches)) {
    throw new InvalidArgumentError('updateDevices needs an array of device patches.');
  }
  for (const p of patches) {
    if (p === null || typeof p !== 'object') {
      throw new InvalidArgumentError(
        'Each device patch must be an object with a serialNumber, e.g. { serialNumber, enrolledAt }.',
      );
    }
    checkSerial((p as { serialNumber?: unknown }).serialNumber);
  }
}
