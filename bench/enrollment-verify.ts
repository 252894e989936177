/**
 * The enrollment endpoint: MachineInfo verifications per second and handler requests per second,
 * beside a bare node:crypto signature check of the same blob. Interleaved rounds; min/median/max.
 *
 *   node --import tsx bench/enrollment-verify.ts
 *
 * The blob is what the simulator sends (RSA-2048 device key, SHA-256 with signed attributes,
 * leaf certificate in the bag, about 2.5 KB). The baseline only runs `crypto.verify` over the
 * pre-extracted signed attributes with a pre-parsed key: no BER, no chain, no plist; the second
 * baseline adds importing the leaf's public key, which any verifier of a new device must do.
 */
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { loadavg } from 'node:os';
import { createEnrollmentHandler, parseMachineInfo } from '../src/enrollment/index.js';
import { writeXmlPlist } from '../src/enrollment/plist-write.js';
import { signCms } from '../src/enrollment/sign-cms.js';
import { parseSignedData } from '../src/enrollment/signed-data.js';
import {
  SIMULATOR_DEVICE_CA_PEM,
  SIMULATOR_DEVICE_CERT_PEM,
  SIMULATOR_DEVICE_KEY_PEM,
} from '../src/testing/simulator/device-ca.js';

const ROUNDS = 7;
const BATCH = 400;

const plist = writeXmlPlist({
  UDID: '00008101-001938611EE9001E',
  SERIAL: 'G4NQM9HHK0',
  PRODUCT: 'iPhone15,2',
  VERSION: '22A3354',
  OS_VERSION: '18.0',
  LANGUAGE: 'en',
  MDM_CAN_REQUEST_SOFTWARE_UPDATE: true,
});
const blob = signCms(Buffer.from(plist), {
  certificatePem: SIMULATOR_DEVICE_CERT_PEM,
  privateKeyPem: SIMULATOR_DEVICE_KEY_PEM,
  digest: 'sha256',
});
const parts = parseSignedData(blob);
const signer = parts.signers[0];
if (signer?.signedAttrsDer === undefined) throw new Error('no signed attributes');
const key = createPublicKey(SIMULATOR_DEVICE_CERT_PEM);
const leafDer = new X509Certificate(SIMULATOR_DEVICE_CERT_PEM).raw;
const trust = { trustAnchors: [SIMULATOR_DEVICE_CA_PEM] };
const profile = new Uint8Array(Buffer.from(writeXmlPlist({ PayloadType: 'Configuration' })));
const handler = createEnrollmentHandler({
  ...trust,
  minimumOs: { ios: '17.4' },
  resolve: () => ({ kind: 'profile', profile }),
});

async function rate(fn: () => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < BATCH; i++) await fn();
  return (BATCH * 1000) / (performance.now() - start);
}

const cases: [string, () => unknown][] = [
  [
    'baseline: crypto.verify of the same signature',
    () => verify('sha256', signer.signedAttrsDer as Uint8Array, key, signer.signature),
  ],
  [
    'baseline: + import the leaf key from its DER (X509Certificate)',
    () =>
      verify(
        'sha256',
        signer.signedAttrsDer as Uint8Array,
        new X509Certificate(leafDer).publicKey,
        signer.signature,
      ),
  ],
  [
    'abmkit: parseMachineInfo (BER, digest, signature, chain, plist)',
    () => parseMachineInfo(blob, trust),
  ],
  [
    'abmkit: handler, POST Request → 200 profile Response',
    async () => {
      const res = await handler(
        new Request('https://mdm.test/enroll', { method: 'POST', body: blob }),
      );
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    },
  ],
];

for (const [, fn] of cases) for (let i = 0; i < 50; i++) await fn(); // warm-up
const results = cases.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, [, fn]] of cases.entries()) results[i]?.push(await rate(fn));
}
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(
  `node ${process.version}, blob ${blob.byteLength} bytes, ${ROUNDS} interleaved rounds × ${BATCH} ops, load average ${load}\n`,
);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
for (const [i, [name]] of cases.entries()) {
  const sorted = [...(results[i] as number[])].sort((a, b) => a - b);
  const med = sorted[Math.floor(sorted.length / 2)] as number;
  console.log(
    `${name.padEnd(66)} min ${fmt(sorted[0] as number)}  median ${fmt(med)}  max ${fmt(sorted[sorted.length - 1] as number)} ops/s`,
  );
}
const median = (i: number) =>
  [...(results[i] as number[])].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number;
console.log(
  `\nparseMachineInfo / bare verify (time per op): ${(median(0) / median(2)).toFixed(1)}x`,
);
console.log(`handler / bare verify (time per op):          ${(median(0) / median(3)).toFixed(1)}x`);
console.log(`parseMachineInfo / verify with key import:   ${(median(1) / median(2)).toFixed(1)}x`);
