import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptServerToken, generateKeyPair, type KeyPair } from '../../../src/crypto/index.js';
import { isAbmError } from '../../../src/errors/index.js';
import { forgeDecrypt, syntheticToken } from './helpers.js';

const token = syntheticToken();
const expectedJson =
  '{"consumer_key":"CK_canary_consumerkey_0123456789abcdef","consumer_secret":"CS_canary_SECRETconsumer_9f8e7d6c5b4a",' +
  '"access_token":"AT_canary_SECRETaccess_1a2b3c4d5e6f","access_secret":"AS_canary_SECRETaccesssecret_a1b2c3d4",' +
  '"access_token_expiry":"2027-03-04T05:06:07Z"}';
const expectedPayload =
  'Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n' +
  `-----BEGIN MESSAGE-----\n${expectedJson}\n-----END MESSAGE-----\n`;

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
});

describe('generateKeyPair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'abmkit-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('produces a certificate openssl parses, with the required extensions', () => {
    const path = join(dir, 'cert.pem');
    writeFileSync(path, keys.certificatePem);
    const text = execFileSync('openssl', ['x509', '-in', path, '-noout', '-text'], {
      encoding: 'utf8',
    });
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toContain('Exponent: 65537');
    expect(text).toContain('sha256WithRSAEncryption');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toContain('CN = abmkit');
  });

  it('writes a PKCS#8 private key that matches the certificate', () => {
    expect(keys.privateKeyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    writeFileSync(keyPath, keys.privateKeyPem);
    writeFileSync(certPath, keys.certificatePem);
    const fromKey = execFileSync('openssl', ['pkey', '-in', keyPath, '-pubout'], {
      encoding: 'utf8',
    });
    const fromCert = execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-pubkey'], {
      encoding: 'utf8',
    });
    expect(fromKey).toBe(fromCert);
  });

  it('honours common name, validity and key size, and backdates notBefore', async () => {
    const before = Date.now();
    const custom = await generateKeyPair({
      modulusLength: 3072,
      commonName: 'mdm-test',
      validityDays: 2,
    });
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(custom.certificatePem);
    expect(cert.subject).toBe('CN=mdm-test');
    expect(cert.issuer).toBe('CN=mdm-test');
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    expect(from).toBeLessThan(before - 60_000);
    expect(Math.round((to - from) / 3_600_000)).toBe(48);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(cert.serialNumber).not.toBe(new X509Certificate(keys.certificatePem).serialNumber);
  });

  it('rejects out-of-range options', async () => {
    await expect(generateKeyPair({ modulusLength: 1024 as 2048 })).rejects.toSatisfy((e) =>
      isAbmError(e, 'INVALID_ARGUMENT'),
    );
    await expect(generateKeyPair({ validityDays: 0 })).rejects.toSatisfy((e) =>
      isAbmError(e, 'INVALID_ARGUMENT'),
    );
    await expect(generateKeyPair({ commonName: '' })).rejects.toSatisfy((e) =>
      isAbmError(e, 'INVALID_ARGUMENT'),
    );
  });
});
