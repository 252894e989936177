import { createPrivateKey, type KeyObject } from 'node:crypto';
import { PrivateKeyError } from '../../errors/index.js';

/**
 * The PEM block rebuilt with 64-column lines: tolerates indentation (keys copied from YAML or
 * JSON configs), CRLF, and line breaks escaped as the two characters `\n` (environment
 * variables). Base64 never holds a backslash or white space, so nothing meaningful is dropped.
 * @internal
 */
export function canonicalPem(label: string, body: string): string {
  const b64 = body.replace(/\\[rn]/g, '').replace(/\s+/g, '');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Parses one private-key PEM block (its `label` and base64 `body`, as matched in the input) after
 * {@link canonicalPem}. A block that does not parse is a {@link PrivateKeyError} ending in `what`
 * (the advice on which key to pass); the input is never echoed. Shared by the server-token key
 * (RSA) and the Business API account key (P-256).
 * @internal
 */
export function parsePrivateKeyBlock(label: string, body: string, what: string): KeyObject {
  try {
    return createPrivateKey({ key: canonicalPem(label, body), format: 'pem' });
  } catch {
    throw new PrivateKeyError(`The private key PEM could not be parsed. ${what}`);
  }
}
