import { malformed } from './fail.js';
import { MAX_MACHINE_INFO_BASE64, MAX_MACHINE_INFO_BYTES } from './limits.js';

/** What {@link parseMachineInfo} accepts. */
export type MachineInfoInput = Uint8Array | ArrayBuffer | string;

function fromBase64(text: string): Uint8Array {
  if (text.length > MAX_MACHINE_INFO_BASE64) malformed('The MachineInfo is too large.', 'limit');
  const compact = text.replace(/\s+/g, '');
  const urlSafe = /[-_]/.test(compact);
  if (urlSafe && /[+/]/.test(compact))
    malformed('The MachineInfo mixes base64 alphabets.', 'encoding');
  if (!/^[A-Za-z0-9+/\-_]+={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    malformed('The MachineInfo is not base64.', 'encoding');
  }
  const bytes = new Uint8Array(Buffer.from(compact, urlSafe ? 'base64url' : 'base64'));
  if (bytes.byteLength === 0) malformed('The MachineInfo is empty.', 'encoding');
  return bytes;
}

/**
 * Raw BER bytes from a POST body (bytes, possibly base64 text) or the `x-apple-aspen-deviceinfo`
 * header (standard or URL-safe base64, padding optional). @internal
 */
export function decodeMachineInfoInput(input: MachineInfoInput): Uint8Array {
  if (typeof input === 'string') return fromBase64(input);
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else return malformed('The MachineInfo must be bytes or a base64 string.', 'encoding');
  if (bytes.byteLength === 0) malformed('The MachineInfo is empty.', 'encoding');
  if (bytes[0] === 0x30) {
    if (bytes.byteLength > MAX_MACHINE_INFO_BYTES)
      malformed('The MachineInfo is too large.', 'limit');
    return bytes;
  }
  if (bytes.byteLength > MAX_MACHINE_INFO_BASE64)
    malformed('The MachineInfo is too large.', 'limit');
  return fromBase64(Buffer.from(bytes).toString('latin1'));
}
