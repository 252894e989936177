import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createEnrollmentHandler,
  type EnrollmentContext,
  type EnrollmentHandlerOptions,
  toNodeListener,
} from '../../../src/enrollment/index.js';
import { machineInfoPlist, makePki, signWithOpenssl } from './vectors.js';

const pki = makePki();
afterAll(() => pki.cleanup());
const good = signWithOpenssl(pki, machineInfoPlist({ OS_VERSION: '17.4' }));
const old = signWithOpenssl(pki, machineInfoPlist({ OS_VERSION: '17.1' }));
const PROFILE = '<?xml version="1.0"?><plist version="1.0"><dict/></plist>';

function make(over: Partial<EnrollmentHandlerOptions> = {}) {
  const seen: EnrollmentContext[] = [];
  const handler = createEnrollmentHandler({
    trustAnchors: [pki.caPem],
    resolve: (ctx) => {
      seen.push(ctx);
      return { kind: 'profile', profile: PROFILE };
    },
    ...over,
  });
  return { handler, seen };
}

const post = (body: Uint8Array, headers: Record<string, string> = {}) =>
  new Request('https://mdm.test/enroll', { method: 'POST', body, headers });

describe('createEnrollmentHandler', () => {
  it('serves the profile with the enrollment content type and nosniff', async () => {
    const { handler, seen } = make();
    const res = await handler(post(good, { 'content-type': 'application/pkcs7-signature' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-apple-aspen-config');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(PROFILE);
    expect(seen[0]).toMatchObject({ source: 'body', device: null, bearerToken: undefined });
  });

  it('reads the web-view header (GET, URL-safe base64)', async () => {
    const { handler, seen } = make();
    const res = await handler(
      new Request('https://mdm.test/enroll', {
        headers: { 'x-apple-aspen-deviceinfo': good.toString('base64url') },
      }),
    );
    expect(res.status).toBe(200);
    expect(seen[0]?.source).toBe('header');
  });

  it('passes the Platform SSO bearer token of the second POST to resolve', async () => {
    const { handler, seen } = make();
    await handler(post(good, { authorization: 'Bearer idp-token-123' }));
    expect(seen[0]?.bearerToken).toBe('idp-token-123');
  });

  it('never echoes the bearer token in events, responses or errors (canary)', async () => {
    const canary = 'CANARY-bearer-7f3a9c';
    const events: unknown[] = [];
    const errors: unknown[] = [];
    const manager = {
      lookupDevice: async () => null,
      recordEnrollmentEvent: async (name: string, payload: unknown) =>
        void events.push([name, payload]),
    };
    for (const resolve of [
      () => ({ kind: 'refuse' as const }),
      () => {
        throw new Error('boom');
      },
    ]) {
      const { handler } = make({ manager, resolve, onError: (e) => errors.push(e) });
      const res = await handler(post(good, { authorization: `Bearer ${canary}` }));
      expect(await res.text()).not.toContain(canary);
    }
    expect(JSON.stringify(events)).not.toContain(canary);
    expect(errors.map(String).join()).not.toContain(canary);
    expect(events.map((e) => (e as [string])[0])).toEqual([
      'enrollment.requested',
      'enrollment.refused',
      'enrollment.requested',
    ]);
  });

  it('answers 400 for malformed, 403 for untrusted; resolve is not called', async () => {
    const { handler, seen } = make();
    expect((await handler(post(new Uint8Array([1, 2, 3])))).status).toBe(400);
    expect((await handler(post(new Uint8Array(300_000).fill(0x41)))).status).toBe(400);
    const { handler: apple } = make({ trustAnchors: undefined });
    expect((await apple(post(good))).status).toBe(403);
    expect(seen).toEqual([]);
  });

  it('answers the software-update document before resolve, from config or a resolver', async () => {
    const { handler, seen } = make({ minimumOs: { ios: '17.4' } });
    const res = await handler(post(old));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      code: 'com.apple.softwareupdate.required',
      details: { OSVersion: '17.4' },
    });
    expect(seen).toEqual([]);
    expect((await handler(post(good))).status).toBe(200);
    const viaFn = make({
      minimumOs: async (ctx) =>
        ctx.machineInfo.product?.startsWith('iPad')
          ? { osVersion: '18.0', buildVersion: '22A3354' }
          : undefined,
    });
    expect(await (await viaFn.handler(post(good))).json()).toMatchObject({
      details: { OSVersion: '18.0', BuildVersion: '22A3354' },
    });
  });

  it('does not send the update document to a device that cannot handle it', async () => {
    const cannot = signWithOpenssl(
      pki,
      machineInfoPlist({ OS_VERSION: '17.1', MDM_CAN_REQUEST_SOFTWARE_UPDATE: false }),
    );
    const { handler } = make({ minimumOs: { ios: '17.4' } });
    expect((await handler(post(cannot))).status).toBe(200);
    const refuse = make({
      resolve: () => ({ kind: 'software-update', target: { osVersion: '18.0' } }),
    });
    expect((await refuse.handler(post(cannot))).status).toBe(403);
    expect((await refuse.handler(post(good))).headers.get('content-type')).toBe('application/json');
  });

  it('refusals, custom responses, and 503 (never 500) when resolve throws', async () => {
    expect(
      (
        await make({
          resolve: () => ({ kind: 'refuse', status: 404, reason: 'unknown device' }),
        }).handler(post(good))
      ).status,
    ).toBe(404);
    const psso = new Response(JSON.stringify({ code: 'com.apple.psso.required' }), { status: 403 });
    expect(
      await (
        await make({ resolve: () => ({ kind: 'response', response: psso }) }).handler(post(good))
      ).json(),
    ).toEqual({ code: 'com.apple.psso.required' });
    const errors: unknown[] = [];
    const failing = make({
      resolve: () => {
        throw new Error('db down');
      },
      onError: (e) => errors.push(e),
    });
    const res = await failing.handler(post(good));
    expect(res.status).toBe(503);
    expect(errors).toHaveLength(1);
  });

  it('signs served profiles when asked', async () => {
    const { readFileSync } = await import('node:fs');
    const { handler } = make({
      sign: {
        certificatePem: readFileSync(pki.leafCert, 'utf8'),
        privateKeyPem: readFileSync(pki.leafKey, 'utf8'),
      },
    });
    const body = new Uint8Array(await (await handler(post(good))).arrayBuffer());
    expect(body[0]).toBe(0x30);
    expect(Buffer.from(body).includes(PROFILE)).toBe(true);
  });
});

describe('toNodeListener over real loopback HTTP', () => {
  it('serves a profile, and answers 400 for a body over the limit', async () => {
    const { handler } = make();
    const server = createServer(toNodeListener(handler));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const send = (body: Buffer) =>
      new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/enroll' },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                type: res.headers['content-type'],
                body: Buffer.concat(chunks).toString(),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      expect(await send(good)).toEqual({
        status: 200,
        type: 'application/x-apple-aspen-config',
        body: PROFILE,
      });
      expect((await send(Buffer.alloc(200_000, 0x30))).status).toBe(400);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('createEnrollmentHandler options', () => {
  it('refuses a missing resolve with INVALID_ARGUMENT', () => {
    expect(() => createEnrollmentHandler({} as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
