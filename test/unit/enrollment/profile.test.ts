import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildEnrollmentProfile,
  type EnrollmentProfileOptions,
  parseMachineInfo,
  signEnrollmentProfile,
  writeXmlPlist,
} from '../../../src/enrollment/index.js';
import { machineInfoPlist, makePki, signWithOpenssl } from './vectors.js';

const pki = makePki();
afterAll(() => pki.cleanup());
const device = parseMachineInfo(signWithOpenssl(pki, machineInfoPlist()), {
  trustAnchors: [pki.caPem],
});

const base: EnrollmentProfileOptions = {
  identifier: 'com.acme.mdm.enroll',
  organization: 'Acme & Co',
  mdm: {
    serverUrl: 'https://mdm.acme.test/mdm/connect',
    checkInUrl: 'https://mdm.acme.test/mdm/checkin',
    topic: 'com.apple.mgmt.External.0d9b3c',
  },
  identity: { type: 'acme', directoryUrl: 'https://mdm.acme.test/acme/directory' },
  anchorCertificates: [pki.caPem],
  device,
};

type Dict = Record<string, unknown>;
const payloads = (xml: string) => (parse(xml) as Dict)['PayloadContent'] as Dict[];

describe('buildEnrollmentProfile', () => {
  it('parses with an independent plist parser: anchors, identity, MDM payload pointing at it', async () => {
    const profile = await buildEnrollmentProfile(base);
    const top = parse(profile.xml) as Dict;
    expect(top).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: 'com.acme.mdm.enroll',
      PayloadUUID: profile.payloadUuid,
      PayloadOrganization: 'Acme & Co',
    });
    const [anchor, identity, mdm] = payloads(profile.xml) as [Dict, Dict, Dict];
    expect(anchor).toMatchObject({
      PayloadType: 'com.apple.security.root',
      PayloadIdentifier: 'com.acme.mdm.enroll.anchor.0',
    });
    expect(Buffer.from(anchor['PayloadContent'] as Uint8Array).toString('base64')).toBe(
      pki.caPem.replace(/-----[A-Z ]+-----|\s/g, ''),
    );
    expect(identity).toMatchObject({
      PayloadType: 'com.apple.security.acme',
      PayloadIdentifier: 'com.acme.mdm.enroll.identity',
      PayloadUUID: profile.identityPayloadUuid,
      DirectoryURL: 'https://mdm.acme.test/acme/directory',
      ClientIdentifier: 'G4NQM9HHK0',
      KeyType: 'ECSECPrimeRandom',
      KeySize: 384,
      HardwareBound: true,
      Attest: true,
      Subject: [[['CN', 'G4NQM9HHK0']]],
    });
    expect(mdm).toEqual({
      PayloadType: 'com.apple.mdm',
      PayloadVersion: 1,
      PayloadIdentifier: 'com.acme.mdm.enroll.mdm',
      PayloadUUID: expect.stringMatching(/^[0-9A-F-]{36}$/),
      PayloadDisplayName: 'MDM',
      ServerURL: 'https://mdm.acme.test/mdm/connect',
      CheckInURL: 'https://mdm.acme.test/mdm/checkin',
      Topic: 'com.apple.mgmt.External.0d9b3c',
      IdentityCertificateUUID: profile.identityPayloadUuid,
      AccessRights: 8191,
      SignMessage: true,
      CheckOutWhenRemoved: true,
      ServerCapabilities: ['com.apple.mdm.per-user-connections', 'com.apple.mdm.bootstraptoken'],
    });
  });

  it('keeps identifiers stable and makes UUIDs fresh on every build', async () => {
    const a = await buildEnrollmentProfile(base);
    const b = await buildEnrollmentProfile(base);
    const ids = (xml: string) => payloads(xml).map((p) => p['PayloadIdentifier']);
    const uuids = (xml: string) => payloads(xml).map((p) => p['PayloadUUID']);
    expect(ids(a.xml)).toEqual(ids(b.xml));
    expect(a.payloadUuid).not.toBe(b.payloadUuid);
    for (const u of uuids(a.xml)) expect(uuids(b.xml)).not.toContain(u);
  });

  it('SCEP with a per-device challenge from a callback, and PKCS#12', async () => {
    const scep = await buildEnrollmentProfile({
      ...base,
      anchorCertificates: undefined,
      identity: {
        type: 'scep',
        url: 'https://mdm.acme.test/scep',
        challenge: async (d) => `challenge-for-${d?.serialNumber}`,
        caFingerprint: new Uint8Array([1, 2, 3]),
      },
    });
    const [identity] = payloads(scep.xml) as [Dict];
    expect(identity['PayloadType']).toBe('com.apple.security.scep');
    expect(identity['PayloadContent']).toMatchObject({
      URL: 'https://mdm.acme.test/scep',
      Challenge: 'challenge-for-G4NQM9HHK0',
      Keysize: 2048,
      'Key Type': 'RSA',
      'Key Usage': 5,
      Subject: [[['CN', 'G4NQM9HHK0']]],
    });
    const p12 = await buildEnrollmentProfile({
      ...base,
      anchorCertificates: undefined,
      identity: { type: 'pkcs12', data: new Uint8Array([9, 9]), password: 'pw' },
    });
    expect(payloads(p12.xml)[0]).toMatchObject({
      PayloadType: 'com.apple.security.pkcs12',
      Password: 'pw',
    });
  });

  it('refuses bad options with INVALID_ARGUMENT', async () => {
    await expect(buildEnrollmentProfile({ ...base, identifier: 'nodots' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      buildEnrollmentProfile({ ...base, mdm: { ...base.mdm, topic: 'x' } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(buildEnrollmentProfile({ ...base, device: undefined })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('writeXmlPlist', () => {
  it('escapes markup and refuses characters XML cannot carry', () => {
    const xml = writeXmlPlist({ a: '<b>&"\'', n: 1.5, d: new Date('2026-01-02T03:04:05Z'), e: [] });
    expect(parse(xml)).toEqual({
      a: '<b>&"\'',
      n: 1.5,
      d: new Date('2026-01-02T03:04:05Z'),
      e: [],
    });
    expect(() => writeXmlPlist({ a: 'bell\u0007' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('signEnrollmentProfile', () => {
  const verify = (signed: Uint8Array, caFile: string): Buffer => {
    const inFile = join(pki.dir, 'profile.p7');
    const outFile = join(pki.dir, 'profile.out');
    writeFileSync(inFile, signed);
    execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        inFile,
        '-CAfile',
        caFile,
        '-purpose',
        'any',
        '-out',
        outFile,
      ],
      { stdio: 'pipe' },
    );
    return readFileSync(outFile);
  };

  it('produces CMS SignedData that openssl cms -verify accepts (RSA key)', async () => {
    const profile = await buildEnrollmentProfile(base);
    const signed = signEnrollmentProfile(profile.bytes, {
      certificatePem: readFileSync(pki.leafCert, 'utf8'),
      privateKeyPem: readFileSync(pki.leafKey, 'utf8'),
    });
    expect(verify(signed, join(pki.dir, 'ca.pem')).equals(Buffer.from(profile.bytes))).toBe(true);
  });

  it('works with an EC key and fails verification when tampered', async () => {
    const dir = pki.dir;
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'ec.key',
        '-out',
        'ec.pem',
        '-days',
        '30',
        '-subj',
        '/CN=Profile Signer',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const signed = signEnrollmentProfile('<plist version="1.0"><dict/></plist>', {
      certificatePem: readFileSync(join(dir, 'ec.pem'), 'utf8'),
      privateKeyPem: readFileSync(join(dir, 'ec.key'), 'utf8'),
    });
    expect(verify(signed, join(dir, 'ec.pem')).toString()).toContain('<dict/>');
    const tampered = Buffer.from(signed);
    tampered.write('<dixt/>', tampered.indexOf('<dict/>'));
    expect(() => verify(tampered, join(dir, 'ec.pem'))).toThrow();
  });

  it('refuses a key that does not match the certificate, without echoing the key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    try {
      signEnrollmentProfile('x', {
        certificatePem: readFileSync(pki.leafCert, 'utf8'),
        privateKeyPem: pem,
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(String((error as Error).message)).not.toContain(pem.slice(40, 80));
    }
  });
});
