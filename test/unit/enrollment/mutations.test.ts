import { afterAll, describe, expect, it } from 'vitest';
import { createEnrollmentHandler, parseMachineInfo } from '../../../src/enrollment/index.js';
import { isAbmError } from '../../../src/index.js';
import { mulberry32 as rng } from '../../support/seeded-random.js';
import { machineInfoPlist, makePki, signWithOpenssl } from './vectors.js';

const SEED = Number(process.env['ABMKIT_FUZZ_SEED'] ?? 0x15e7);
const COUNT = 1200;

function mutate(base: Buffer, next: () => number): Buffer {
  const b = Buffer.from(base);
  const int = (n: number) => Math.floor(next() * n);
  switch (int(5)) {
    case 0:
      return b.subarray(0, int(b.length));
    case 1: {
      for (let i = 0, n = 1 + int(4); i < n; i++) {
        const at = int(b.length);
        b[at] = (b[at] as number) ^ (1 << int(8));
      }
      return b;
    }
    case 2: {
      const at = int(b.length);
      b[at] = [0x00, 0x80, 0xff, 0x30, 0xa0][int(5)] as number;
      return b;
    }
    case 3: {
      const at = int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(8))]);
    }
    default: {
      const at = int(b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.from([int(256), int(256)]), b.subarray(at)]);
    }
  }
}

const pki = makePki();
afterAll(() => pki.cleanup());
const trust = [pki.caPem];
const bases = [
  signWithOpenssl(pki, machineInfoPlist(), { md: 'sha256' }),
  signWithOpenssl(pki, machineInfoPlist(), { md: 'sha1', noattr: true, stream: true }),
];

describe(`seeded mutations (seed ${SEED}; set ABMKIT_FUZZ_SEED to replay)`, () => {
  it(`${COUNT} truncated and bit-flipped blobs give only typed errors`, () => {
    const next = rng(SEED);
    const seen = new Set<string>();
    for (let i = 0; i < COUNT; i++) {
      const blob = mutate(bases[i % bases.length] as Buffer, next);
      try {
        parseMachineInfo(blob, { trustAnchors: trust });
        seen.add('ok');
      } catch (error) {
        if (!isAbmError(error) || !error.code.startsWith('MACHINE_INFO_')) {
          throw new Error(`mutation ${i} (seed ${SEED}) threw ${String(error)}`, { cause: error });
        }
        seen.add(error.code);
      }
    }
    expect(seen).toContain('MACHINE_INFO_INVALID');
    expect(seen).toContain('MACHINE_INFO_UNTRUSTED');
  });

  it(`${COUNT} mutated requests through the handler: 400 or 403, never 500`, async () => {
    const next = rng(SEED + 1);
    const handler = createEnrollmentHandler({
      trustAnchors: trust,
      resolve: () => ({ kind: 'profile', profile: '<plist/>' }),
    });
    const statuses = new Map<number, number>();
    for (let i = 0; i < COUNT; i++) {
      const blob = mutate(bases[i % bases.length] as Buffer, next);
      const asHeader = i % 3 === 0;
      const request = new Request('https://mdm.test/enroll', {
        method: 'POST',
        ...(asHeader
          ? { headers: { 'x-apple-aspen-deviceinfo': blob.toString('base64url') } }
          : { body: blob }),
      });
      const response = await handler(request);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (![200, 400, 403].includes(response.status)) {
        throw new Error(`mutation ${i} (seed ${SEED + 1}) answered ${response.status}`);
      }
    }
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(403)).toBeGreaterThan(0);
    expect(statuses.has(500)).toBe(false);
  });
});
