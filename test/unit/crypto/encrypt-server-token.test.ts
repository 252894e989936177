import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type EncryptServerTokenOptions,
  encryptServerToken,
} from '../../../src/crypto/encrypt-server-token.js';
import { generateKeyPair, type KeyPair } from '../../../src/crypto/index.js';
import { isAbmError } from '../../../src/errors/index.js';
import { abmPayload, forgeDecrypt, syntheticToken } from './helpers.js';

const token = syntheticToken();
const expectedPayload = abmPayload(token);

let keys: KeyPair;
beforeAll(async () => {
  keys = await generateKeyPair();
});

describe('encryptServerToken', () => {
  it('writes the S/MIME file the way ABM serves it', async () => {
    const file = await encryptServerToken(token, keys.certificatePem);
    const [head, body] = file.split('\n\n');
    expect(head?.split('\n')).toEqual([
      'Content-Type: application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
      'Content-Description: S/MIME Encrypted Message',
    ]);
    expect(file).not.toContain('\r');
    const lines = (body ?? '').trimEnd().split('\n');
    expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    // BER with indefinite lengths: 0x30 0x80 0x06 0x09 … pkcs7-envelopedData
    expect(body?.startsWith('MIAGCSqGSIb3DQEHA6CAMIAC')).toBe(true);
  });

  it('uses indefinite lengths and chunked OCTET STRINGs for the ciphertext', async () => {
    const long = { ...token, consumerKey: `CK_${'x'.repeat(900)}` };
    const der = await encryptServerToken(long, keys.certificatePem, { format: 'der' });
    const { result, offset } = asn1js.fromBER(der);
    expect(offset).toBe(der.byteLength);
    expect(result.lenBlock.isIndefiniteForm).toBe(true);
    const envelope = (result as asn1js.Sequence).valueBlock.value[1] as asn1js.Constructed;
    const enveloped = envelope.valueBlock.value[0] as asn1js.Sequence;
    const eci = enveloped.valueBlock.value[2] as asn1js.Sequence;
    const content = eci.valueBlock.value[2] as asn1js.Constructed;
    expect(content.lenBlock.isIndefiniteForm).toBe(true);
    expect(content.idBlock.isConstructed).toBe(true);
    expect(content.valueBlock.value.length).toBeGreaterThan(1);
    expect(content.valueBlock.value.every((c) => c instanceof asn1js.OctetString)).toBe(true);
  });

  for (const contentCipher of [
    'aes-128-cbc',
    'aes-192-cbc',
    'aes-256-cbc',
    'des-ede3-cbc',
  ] as const) {
    it(`is decrypted by node-forge to ABM's exact payload (${contentCipher}, PKCS#1 v1.5)`, async () => {
      const der = await encryptServerToken(token, keys.certificatePem, {
        format: 'der',
        contentCipher,
      });
      expect(forgeDecrypt(der, keys.privateKeyPem)).toBe(expectedPayload);
    });
  }

  it('writes PEM, bare base64 and CRLF variants of the same content', async () => {
    const pem = await encryptServerToken(token, keys.certificatePem, { format: 'pem' });
    expect(pem).toMatch(/^-----BEGIN PKCS7-----\n[A-Za-z0-9+/=\n]+-----END PKCS7-----\n$/);
    const b64 = await encryptServerToken(token, keys.certificatePem, { format: 'base64' });
    expect(b64).toMatch(/^[A-Za-z0-9+/=\n]+$/);
    const crlf = await encryptServerToken(token, keys.certificatePem, { lineEnding: 'crlf' });
    expect(crlf.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const der = Buffer.from(b64.replace(/\s/g, ''), 'base64');
    expect(forgeDecrypt(der, keys.privateKeyPem)).toBe(expectedPayload);
  });

  it('rejects a malformed token and a bad certificate with typed errors', async () => {
    await expect(
      encryptServerToken({ ...token, accessSecret: '' }, keys.certificatePem),
    ).rejects.toSatisfy((e) => isAbmError(e, 'INVALID_ARGUMENT'));
    await expect(
      encryptServerToken({ ...token, accessTokenExpiry: new Date('x') }, keys.certificatePem),
    ).rejects.toSatisfy((e) => isAbmError(e, 'INVALID_ARGUMENT'));
    await expect(encryptServerToken(token, keys.privateKeyPem)).rejects.toSatisfy((e) =>
      isAbmError(e, 'CERTIFICATE_INVALID'),
    );
    await expect(
      encryptServerToken(token, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ).rejects.toSatisfy((e) => isAbmError(e, 'CERTIFICATE_INVALID'));
  });

  it('rejects unknown options with INVALID_ARGUMENT', async () => {
    const bad = [
      { contentCipher: 'aes-128-gcm' },
      { keyTransport: 'rsa-pss' },
      { keyTransport: 'rsa-oaep', oaepHash: 'md5' },
      { format: 'xml' },
    ] as unknown as EncryptServerTokenOptions[];
    for (const options of bad) {
      await expect(encryptServerToken(token, keys.certificatePem, options)).rejects.toSatisfy((e) =>
        isAbmError(e, 'INVALID_ARGUMENT'),
      );
    }
  });
});
