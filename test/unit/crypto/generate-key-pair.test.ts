import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../../src/crypto/index.js';
import { isAbmError } from '../../../src/errors/index.js';

let keys: KeyPair;
beforeAll(async () => {
  keys = await generateKeyPair();
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
