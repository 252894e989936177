import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APPLE_IPHONE_DEVICE_CA_PEM,
  MachineInfoInvalidError,
  MachineInfoUntrustedError,
  parseMachineInfo,
} from '../../../src/enrollment/index.js';
import { isAbmError } from '../../../src/index.js';
import {
  APPLE_SUBJECT,
  machineInfoPlist,
  makeIntermediate,
  makePki,
  signWithOpenssl,
} from './vectors.js';

const FIXTURES = new URL('../../../../shared/fixtures/apple-device-ca/', import.meta.url);

const pki = makePki();
const other = makePki('/CN=Other Device CA', 'other');
const lookalike = makePki(APPLE_SUBJECT, 'lookalike');
afterAll(() => {
  pki.cleanup();
  other.cleanup();
  lookalike.cleanup();
});
const trust = { trustAnchors: [pki.caPem] };
const PLIST = machineInfoPlist();

function untrustedReason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MachineInfoUntrustedError);
    expect(isAbmError(error, 'MACHINE_INFO_UNTRUSTED')).toBe(true);
    return (error as MachineInfoUntrustedError).reason;
  }
  throw new Error('expected MACHINE_INFO_UNTRUSTED');
}

describe('the pinned Apple iPhone Device CA', () => {
  it('is byte-identical to the public certificate with the published SHA-256 fingerprint', () => {
    const pinned = new X509Certificate(APPLE_IPHONE_DEVICE_CA_PEM);
    const fixture = new X509Certificate(
      readFileSync(new URL('apple-iphone-device-ca.pem', FIXTURES)),
    );
    expect(pinned.fingerprint256).toBe(
      '76:F2:7D:00:E1:33:3B:C8:8D:E0:E2:91:6C:38:C9:A7:F2:B7:57:74:C2:5A:79:4C:09:2A:80:E3:C4:C6:6C:CE',
    );
    expect(pinned.raw.equals(fixture.raw)).toBe(true);
    expect(createHash('sha256').update(pinned.raw).digest('hex')).toMatch(/^76f27d00/);
    expect(pinned.subject).toContain('CN=Apple iPhone Device CA');
  });

  it('is the default anchor: a test CA is untrusted without trustAnchors', () => {
    expect(untrustedReason(() => parseMachineInfo(signWithOpenssl(pki, PLIST)))).toBe('chain');
  });
});

describe('parseMachineInfo accepts', () => {
  it('SHA-256 with signed attributes (contentType and messageDigest checked) and maps every field', () => {
    const info = parseMachineInfo(signWithOpenssl(pki, PLIST, { md: 'sha256' }), trust);
    expect(info).toMatchObject({
      udid: '00008101-001938611EE9001E',
      serialNumber: 'G4NQM9HHK0',
      product: 'iPad13,18',
      build: '21E236',
      osVersion: '17.4',
      language: 'en',
      imei: '',
      meid: '',
      canRequestSoftwareUpdate: true,
      canRequestPssoConfig: false,
      signature: { digest: 'sha256', signedAttributes: true, anchorSubject: 'CN=Test Device CA' },
    });
    expect(info.raw['FUTURE_KEY']).toBe('kept & decoded');
  });

  it('SHA-1 without signed attributes, in indefinite-length BER (as macOS sends it)', () => {
    const ber = signWithOpenssl(pki, PLIST, { md: 'sha1', noattr: true, stream: true });
    expect(ber.subarray(0, 2).toString('hex')).toBe('3080');
    const info = parseMachineInfo(ber, trust);
    expect(info.signature).toMatchObject({ digest: 'sha1', signedAttributes: false });
    expect(info.serialNumber).toBe('G4NQM9HHK0');
  });

  it('the web-view header: standard and URL-safe base64, with or without padding', () => {
    const der = signWithOpenssl(pki, PLIST);
    const std = der.toString('base64');
    const url = der.toString('base64url');
    expect(std).toMatch(/[+/]/);
    for (const text of [std, url, `${url}==`.slice(0, url.length + ((4 - (url.length % 4)) % 4))]) {
      expect(parseMachineInfo(text, trust).serialNumber).toBe('G4NQM9HHK0');
    }
    expect(parseMachineInfo(new TextEncoder().encode(std), trust).udid).toBe(
      '00008101-001938611EE9001E',
    );
  });

  it('a signer identified by subject key identifier, and an ArrayBuffer', () => {
    const der = signWithOpenssl(pki, PLIST, { keyid: true });
    const ab = new Uint8Array(der).buffer;
    expect(parseMachineInfo(ab, trust).serialNumber).toBe('G4NQM9HHK0');
  });

  it('a chain through a CA intermediate carried in the bag', () => {
    const int = makeIntermediate(pki, true);
    const signer = { ...pki, leafCert: int.cert, leafKey: int.key };
    const der = signWithOpenssl(signer, PLIST, { certfile: int.intermediate });
    expect(parseMachineInfo(der, trust).signature.anchorSubject).toBe('CN=Test Device CA');
    // Without the intermediate in the bag the chain cannot be built.
    expect(untrustedReason(() => parseMachineInfo(signWithOpenssl(signer, PLIST), trust))).toBe(
      'chain',
    );
  });

  it('several anchors: the one that issued the chain is reported', () => {
    const info = parseMachineInfo(signWithOpenssl(other, PLIST), {
      trustAnchors: [pki.caPem, other.caPem],
    });
    expect(info.signature.anchorSubject).toBe('CN=Other Device CA');
  });
});

describe('parseMachineInfo refuses as untrusted', () => {
  it('a wrong messageDigest (content swapped under valid signed attributes)', () => {
    const der = signWithOpenssl(pki, PLIST, { md: 'sha256' });
    const at = der.indexOf('<string>17.4</string>');
    expect(at).toBeGreaterThan(0);
    der.write('<string>99.9</string>', at);
    expect(untrustedReason(() => parseMachineInfo(der, trust))).toBe('digest');
  });

  it('tampered content without signed attributes', () => {
    const der = signWithOpenssl(pki, PLIST, { md: 'sha1', noattr: true });
    der.write('<string>99.9</string>', der.indexOf('<string>17.4</string>'));
    expect(untrustedReason(() => parseMachineInfo(der, trust))).toBe('signature');
  });

  it('two signers', () => {
    const der = signWithOpenssl(pki, PLIST, { extraSigners: [[other.leafCert, other.leafKey]] });
    expect(
      untrustedReason(() => parseMachineInfo(der, { trustAnchors: [pki.caPem, other.caPem] })),
    ).toBe('signers');
  });

  it('a signer whose certificate is not in the bag', () => {
    const der = signWithOpenssl(pki, PLIST, { nocerts: true, certfile: other.leafCert });
    expect(untrustedReason(() => parseMachineInfo(der, trust))).toBe('signer-certificate');
  });

  it("a leaf from a look-alike CA with Apple's subject names, even with that CA in the bag", () => {
    const bag = `${lookalike.dir}/ca.pem`;
    const der = signWithOpenssl(lookalike, PLIST, { certfile: bag });
    expect(untrustedReason(() => parseMachineInfo(der))).toBe('chain');
    expect(
      untrustedReason(() => parseMachineInfo(der, { trustAnchors: [APPLE_IPHONE_DEVICE_CA_PEM] })),
    ).toBe('chain');
  });

  it('a chain whose root is only in the bag (never trusted from the bag)', () => {
    const der = signWithOpenssl(pki, PLIST, { certfile: `${pki.dir}/ca.pem` });
    expect(untrustedReason(() => parseMachineInfo(der, { trustAnchors: [other.caPem] }))).toBe(
      'chain',
    );
  });

  it('a chain through an intermediate that is not a CA', () => {
    const int = makeIntermediate(pki, false);
    const der = signWithOpenssl({ ...pki, leafCert: int.cert, leafKey: int.key }, PLIST, {
      certfile: int.intermediate,
    });
    expect(untrustedReason(() => parseMachineInfo(der, trust))).toBe('chain');
  });

  it('a flipped bit in the signature', () => {
    const der = signWithOpenssl(pki, PLIST, { noattr: true });
    der[der.length - 3] = (der[der.length - 3] as number) ^ 0x01;
    expect(untrustedReason(() => parseMachineInfo(der, trust))).toBe('signature');
  });
});

describe('parseMachineInfo refuses as malformed', () => {
  const malformed = (input: Parameters<typeof parseMachineInfo>[0]): string => {
    try {
      parseMachineInfo(input, trust);
    } catch (error) {
      expect(error).toBeInstanceOf(MachineInfoInvalidError);
      expect((error as Error).message).toMatch(/Answer 400/);
      return (error as MachineInfoInvalidError).reason;
    }
    throw new Error('expected MACHINE_INFO_INVALID');
  };

  it('empty, non-base64, mixed alphabets, truncated and trailing bytes, oversize', () => {
    const der = signWithOpenssl(pki, PLIST);
    expect(malformed(new Uint8Array(0))).toBe('encoding');
    expect(malformed('not base64 at all!')).toBe('encoding');
    expect(malformed('ab+c-d__')).toBe('encoding');
    expect(malformed(der.subarray(0, der.length - 10))).toBe('cms');
    expect(malformed(Buffer.concat([der, Buffer.from([0])]))).toBe('cms');
    expect(
      malformed(
        Buffer.concat([Buffer.from([0x30, 0x84, 0x00, 0x02, 0x00, 0x00]), Buffer.alloc(200_000)]),
      ),
    ).toBe('limit');
  });

  it('a plist with a DTD internal subset (entity expansion) or unknown entity references', () => {
    const bomb = PLIST.replace(
      '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
      '<!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    );
    expect(malformed(signWithOpenssl(pki, bomb))).toBe('plist');
    expect(malformed(signWithOpenssl(pki, PLIST.replace('kept &amp; decoded', '&b;')))).toBe(
      'plist',
    );
  });

  it('too deep a plist, a non-dictionary root, wrongly typed known keys', () => {
    const deep = `<?xml version="1.0"?><plist version="1.0">${'<array>'.repeat(20)}${'</array>'.repeat(20)}</plist>`;
    expect(malformed(signWithOpenssl(pki, deep))).toBe('limit');
    expect(malformed(signWithOpenssl(pki, '<plist version="1.0"><array/></plist>'))).toBe('plist');
    expect(malformed(signWithOpenssl(pki, machineInfoPlist({ SERIAL: true })))).toBe('plist');
  });

  it('bad trust anchors are a programming error (INVALID_ARGUMENT), not a device error', () => {
    expect(() => parseMachineInfo(signWithOpenssl(pki, PLIST), { trustAnchors: ['nope'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
