/**
 * Test vectors built with the openssl CLI (independent of abmkit's code): a device CA, a leaf it
 * issued, a look-alike CA with Apple's subject names, and CMS-signed MachineInfo plists.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const APPLE_SUBJECT = '/C=US/O=Apple Inc./OU=Apple iPhone/CN=Apple iPhone Device CA';

export interface Pki {
  dir: string;
  caPem: string;
  leafCert: string;
  leafKey: string;
  cleanup(): void;
}

function ossl(dir: string, args: string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Makes a CA (subject `caSubject`) and a leaf it issued, in a temp directory. */
export function makePki(caSubject = '/CN=Test Device CA', name = 'pki'): Pki {
  const dir = mkdtempSync(join(tmpdir(), `abmkit-${name}-`));
  ossl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '3650',
    '-subj',
    caSubject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  ossl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/CN=0B5938EB-A130-466F-BFA5-BFA950500D03',
  ]);
  writeFileSync(
    join(dir, 'leaf.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\n',
  );
  ossl(dir, [
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    '4660',
    '-days',
    '365',
    '-out',
    'leaf.pem',
    '-extfile',
    'leaf.ext',
  ]);
  return {
    dir,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    leafCert: join(dir, 'leaf.pem'),
    leafKey: join(dir, 'leaf.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function machineInfoPlist(fields: Record<string, string | boolean> = {}): string {
  const all: Record<string, string | boolean> = {
    UDID: '00008101-001938611EE9001E',
    SERIAL: 'G4NQM9HHK0',
    PRODUCT: 'iPad13,18',
    VERSION: '21E236',
    OS_VERSION: '17.4',
    LANGUAGE: 'en',
    IMEI: '',
    MEID: '',
    MDM_CAN_REQUEST_SOFTWARE_UPDATE: true,
    FUTURE_KEY: 'kept &amp; decoded',
    ...fields,
  };
  const body = Object.entries(all)
    .map(
      ([k, v]) =>
        `\t<key>${k}</key>\n\t${typeof v === 'boolean' ? `<${v}/>` : `<string>${v}</string>`}`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n${body}\n</dict>\n</plist>\n`;
}

export interface SignOptions {
  md?: 'sha1' | 'sha256';
  /** Omit signed attributes (like Apple's macOS captures). */
  noattr?: boolean;
  /** BER indefinite-length streaming output. */
  stream?: boolean;
  /** Extra signers [cert, key]. */
  extraSigners?: [string, string][];
  /** Do not include the signer certificate. */
  nocerts?: boolean;
  /** Extra certificates for the bag (PEM file path). */
  certfile?: string;
  /** Identify the signer by subject key identifier. */
  keyid?: boolean;
}

/** CMS-signs `content` with openssl; DER (or BER when streaming). */
export function signWithOpenssl(pki: Pki, content: string | Buffer, o: SignOptions = {}): Buffer {
  const args = [
    'cms',
    '-sign',
    '-binary',
    '-nodetach',
    '-outform',
    'DER',
    '-signer',
    pki.leafCert,
    '-inkey',
    pki.leafKey,
    '-md',
    o.md ?? 'sha256',
  ];
  for (const [c, k] of o.extraSigners ?? []) args.push('-signer', c, '-inkey', k);
  if (o.noattr) args.push('-noattr');
  if (o.stream) args.push('-stream');
  if (o.nocerts) args.push('-nocerts');
  if (o.certfile) args.push('-certfile', o.certfile);
  if (o.keyid) args.push('-keyid');
  return ossl(pki.dir, args, Buffer.from(content));
}

/** A leaf issued by an intermediate (`ca: true` or not) that `pki`'s CA issued. */
export function makeIntermediate(
  pki: Pki,
  ca: boolean,
): { cert: string; key: string; intermediate: string } {
  const d = pki.dir;
  const tag = ca ? 'int' : 'nonca';
  ossl(d, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${tag}.key`,
    '-out',
    `${tag}.csr`,
    '-subj',
    `/CN=Intermediate ${tag}`,
  ]);
  writeFileSync(
    join(d, `${tag}.ext`),
    ca
      ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n'
      : 'basicConstraints=CA:FALSE\n',
  );
  ossl(d, [
    'x509',
    '-req',
    '-in',
    `${tag}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    '77',
    '-days',
    '365',
    '-out',
    `${tag}.pem`,
    '-extfile',
    `${tag}.ext`,
  ]);
  ossl(d, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${tag}-leaf.key`,
    '-out',
    `${tag}-leaf.csr`,
    '-subj',
    '/CN=1E2D3C4B-0000-4000-8000-000000000001',
  ]);
  ossl(d, [
    'x509',
    '-req',
    '-in',
    `${tag}-leaf.csr`,
    '-CA',
    `${tag}.pem`,
    '-CAkey',
    `${tag}.key`,
    '-set_serial',
    '78',
    '-days',
    '365',
    '-out',
    `${tag}-leaf.pem`,
  ]);
  return {
    cert: join(d, `${tag}-leaf.pem`),
    key: join(d, `${tag}-leaf.key`),
    intermediate: join(d, `${tag}.pem`),
  };
}
