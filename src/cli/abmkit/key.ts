import { UsageError } from './exit.js';

/**
 * Parses `ABMKIT_KEY`: 32 bytes as 64 hex characters or as base64 (44 characters, standard or
 * URL alphabet). Never echoes the value.
 */
export function parseKey(raw: string | undefined): Uint8Array | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Uint8Array.from(Buffer.from(text, 'hex'));
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return Uint8Array.from(bytes);
  }
  throw new UsageError(
    `ABMKIT_KEY must be 32 bytes written as 64 hex characters or 44 base64 characters (got ${text.length} characters that are neither); make one with: openssl rand -hex 32`,
  );
}
