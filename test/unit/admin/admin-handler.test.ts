import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createAdminHandler, toNodeHandler } from '../../../src/admin/index.js';
import { ROUTES } from '../../../src/admin/routes.js';
import * as schemas from '../../../src/admin/schemas.js';
import { AbmManager, MemoryStorage } from '../../../src/index.js';
import { createDepSimulator, type DepSimulator } from '../../../src/testing/index.js';

const KEY = Buffer.alloc(32, 7);
const ADMIN = 'Bearer admin-secret-1';
const DEVICES = 120;

let sim: DepSimulator;
let storage: MemoryStorage;
let manager: AbmManager;
let handler: ReturnType<typeof createAdminHandler>;
let issued: { file: Uint8Array | string; consumerKey: string };
/** Every response body seen, for the secret canary at the end. */
const seen: string[] = [];
/** The simulated Business API account's private key (a secret, for the canary). */
let apiPrivateKey = '';
let simUrl = '';

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; text: string; headers: Headers }> {
  const init: RequestInit = { method, headers: { authorization: ADMIN, ...headers } };
  if (body !== undefined) {
    init.body =
      typeof body === 'string' || body instanceof Uint8Array
        ? (body as NonNullable<RequestInit['body']>)
        : JSON.stringify(body);
  }
  const res = await handler(new Request(`http://admin.local/abm${path}`, init));
  const text = await res.text();
  seen.push(text);
  let json: unknown = null;
  if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(text);
  return { status: res.status, json, text, headers: res.headers };
}

interface DoctorFindingShape {
  check: string;
  severity: string;
}

function conforms(schema: z.ZodType, value: unknown): void {
  const parsed = schema.safeParse(value);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
}

beforeAll(async () => {
  sim = createDepSimulator({ devices: DEVICES, seed: 16 });
  const baseUrl = await sim.listen();
  simUrl = baseUrl;
  storage = new MemoryStorage({ encryptionKey: KEY });
  manager = new AbmManager({ storage, baseUrl, telemetry: false });
  handler = createAdminHandler(manager, {
    authorize: (req) => req.headers.get('authorization') === ADMIN,
    basePath: '/abm',
    storage,
    baseUrl,
    uploadLimitBytes: 16 * 1024,
  });
});

afterAll(async () => {
  handler.close();
  await manager.stop();
  await sim.close();
});

describe('createAdminHandler', () => {
  it('refuses to start without authorize', () => {
    expect(() => createAdminHandler(manager, {} as never)).toThrow(/authorize/);
    expect(() => createAdminHandler(manager, undefined as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('sends every request through authorize: false → 403, a Response → that response', async () => {
    const denied = await handler(new Request('http://admin.local/abm/tokens'));
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'FORBIDDEN', message: expect.any(String) },
    });
    const custom = createAdminHandler(manager, {
      authorize: () => new Response('login first', { status: 401 }),
    });
    const res = await custom(new Request('http://x/openapi.json'));
    expect(res.status).toBe(401);
    const throwing = createAdminHandler(manager, {
      authorize: () => {
        throw new Error('boom');
      },
    });
    expect((await throwing(new Request('http://x/tokens'))).status).toBe(403);
    custom.close();
    throwing.close();
  });

  it('answers 404 for unknown routes, 405 for wrong methods, outside the base path too', async () => {
    expect((await call('GET', '/nope')).status).toBe(404);
    expect((await call('DELETE', '/tokens')).status).toBe(405);
    const outside = await handler(
      new Request('http://admin.local/other/tokens', { headers: { authorization: ADMIN } }),
    );
    expect(outside.status).toBe(404);
  });

  it('runs the token wizard idempotently: a reload keeps the pending key pair', async () => {
    const bad = await call('POST', '/tokens', { tokenId: 'acme hq!' });
    expect(bad.status).toBe(422);
    expect((bad.json as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENT');
    expect((await call('POST', '/tokens', '{not json')).status).toBe(400);

    const first = await call('POST', '/tokens', {
      tokenId: 'acme-hq',
      customerId: 'acme',
      siteId: 'hq',
      name: 'Acme HQ',
    });
    expect(first.status).toBe(201);
    conforms(schemas.keyPairViewSchema, first.json);
    const pem = (first.json as { certificatePem: string }).certificatePem;
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const reload = await call('POST', '/tokens', {
      tokenId: 'acme-hq',
      customerId: 'acme',
      siteId: 'hq',
    });
    expect(reload.status).toBe(200);
    expect(reload.json).toMatchObject({ created: false, certificatePem: pem });

    const cert = await call('GET', '/tokens/acme-hq/certificate');
    expect(cert.status).toBe(200);
    expect(cert.headers.get('content-disposition')).toContain('attachment');
    expect(cert.text).toBe(pem);
    expect(cert.text).not.toContain('PRIVATE KEY');

    issued = await sim.issueServerToken(pem);
    const upload = await call('PUT', '/tokens/acme-hq/server-token', issued.file as Uint8Array);
    expect(upload.status).toBe(200);
    conforms(schemas.tokenViewSchema, upload.json);
    expect(upload.json).toMatchObject({ tokenId: 'acme-hq', status: 'valid' });
    // The same file again (a reload after the upload) is fine and changes nothing.
    const again = await call('PUT', '/tokens/acme-hq/server-token', issued.file as Uint8Array);
    expect(again.status).toBe(200);
    // Once the token is active, the wizard no longer replaces its pair without renew.
    const exists = await call('POST', '/tokens', { tokenId: 'acme-hq' });
    expect(exists.status).toBe(409);
    expect((exists.json as { error: { code: string } }).error.code).toBe('TOKEN_EXISTS');
  });

  it('limits uploads by declared length and while streaming, and rejects corrupt tokens', async () => {
    const big = new Uint8Array(16 * 1024 + 1);
    const declared = await call('PUT', '/tokens/acme-hq/server-token', big);
    expect(declared.status).toBe(413);
    expect((declared.json as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(1024));
        c.close();
      },
    });
    const streamed = await handler(
      new Request('http://admin.local/abm/tokens/acme-hq/server-token', {
        method: 'PUT',
        headers: { authorization: ADMIN },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    const corrupt = await call('PUT', '/tokens/acme-hq/server-token', 'this is not a p7m');
    expect(corrupt.status).toBe(422);
    expect((corrupt.json as { error: { code: string } }).error.code).toBe('TOKEN_FORMAT_INVALID');
    const empty = await call('PUT', '/tokens/acme-hq/server-token', '');
    expect(empty.status).toBe(422);
  });

  it('sets per-OS defaults, the whole policy, and defines profiles (validated)', async () => {
    const invalid = await call('PUT', '/tokens/acme-hq/policy', { osDefaults: { android: 'X' } });
    expect(invalid.status).toBe(422);
    const made = await call('POST', '/tokens/acme-hq/profiles', {
      name: 'Acme iOS',
      url: 'https://mdm.acme.example/enroll',
      defaultFor: ['ios', 'ipados'],
    });
    expect(made.status).toBe(201);
    conforms(schemas.profileViewSchema, made.json);
    const ios = (made.json as { profileUuid: string }).profileUuid;
    const patched = await call('PATCH', '/tokens/acme-hq/policy/os-defaults', {
      macos: ios,
      tvos: null,
    });
    expect(patched.status).toBe(200);
    conforms(schemas.policyViewSchema, patched.json);
    expect(patched.json).toMatchObject({
      policy: { osDefaults: { ios, ipados: ios, macos: ios } },
    });
    const [serial] = sim.devices.serials(1);
    const put = await call('PUT', '/tokens/acme-hq/policy', {
      osDefaults: { ios, ipados: ios, macos: ios },
      groups: [{ id: 'vip', profileUuid: ios, serials: [serial!], priority: 5 }],
    });
    expect(put.status).toBe(200);
    const got = await call('GET', '/tokens/acme-hq/policy');
    expect(got.json).toMatchObject({ tokenId: 'acme-hq', policy: { groups: [{ id: 'vip' }] } });
  });

  it('runs Sync Now with progress by polling and by Server-Sent Events', async () => {
    const started = await call('POST', '/tokens/acme-hq/sync');
    expect(started.status).toBe(202);
    conforms(schemas.syncStateSchema, started.json);
    const events = await handler(
      new Request('http://admin.local/abm/tokens/acme-hq/sync/events', {
        headers: { authorization: ADMIN },
      }),
    );
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const text = await events.text();
    seen.push(text);
    const states = text
      .split('\n\n')
      .map((chunk) => chunk.split('\n').find((l) => l.startsWith('data: ')))
      .filter((l): l is string => l !== undefined)
      .map(
        (l) =>
          JSON.parse(l.slice(6)) as {
            running: boolean;
            report: { status: string; pages: number } | null;
          },
      );
    for (const s of states) conforms(schemas.syncStateSchema, s);
    const last = states.at(-1)!;
    expect(last.running).toBe(false);
    expect(last.report?.status).toBe('completed');
    const polled = await call('GET', '/tokens/acme-hq/sync');
    expect(polled.json).toMatchObject({ running: false, report: { status: 'completed' } });
  });

  it('lists tokens with health, devices with filters and search, Unassigned with reasons', async () => {
    const tokens = await call('GET', '/tokens');
    conforms(schemas.tokenViewSchema.array(), tokens.json);
    expect((tokens.json as { tokenId: string; lastSyncAt: string | null }[])[0]).toMatchObject({
      tokenId: 'acme-hq',
      lastSyncAt: expect.any(String),
    });
    expect((await call('GET', '/tokens?customerId=nobody')).json).toEqual([]);
    const one = await call('GET', '/tokens/acme-hq');
    conforms(schemas.tokenViewSchema, one.json);
    expect((await call('GET', '/tokens/unknown')).status).toBe(404);

    const all = await call('GET', '/tokens/acme-hq/devices?limit=500');
    conforms(schemas.devicePageSchema, all.json);
    const items = (all.json as { items: { serialNumber: string; os: string; status: string }[] })
      .items;
    expect(items.length).toBe(DEVICES);
    const macs = await call('GET', '/tokens/acme-hq/devices?os=macOS&limit=500');
    const macItems = (macs.json as { items: { os: string }[] }).items;
    expect(macItems.length).toBe(items.filter((d) => d.os === 'macOS').length);
    expect(macItems.every((d) => d.os === 'macOS')).toBe(true);
    const target = items[7]!.serialNumber;
    const search = await call(
      'GET',
      `/tokens/acme-hq/devices?q=${target.slice(2, 9).toLowerCase()}`,
    );
    expect(
      (search.json as { items: { serialNumber: string }[] }).items.map((d) => d.serialNumber),
    ).toContain(target);
    // Paging with a filter walks everything once.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        'GET',
        `/tokens/acme-hq/devices?limit=7${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      const body = page.json as { items: { serialNumber: string }[]; nextCursor: string | null };
      paged.push(...body.items.map((d) => d.serialNumber));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(items.map((d) => d.serialNumber));
    expect((await call('GET', '/tokens/acme-hq/devices?status=bogus')).status).toBe(422);
    expect((await call('GET', '/tokens/acme-hq/devices?limit=0')).status).toBe(422);

    const unassigned = await call('GET', '/tokens/acme-hq/unassigned');
    conforms(schemas.unassignedPageSchema, unassigned.json);
    const u = unassigned.json as {
      items: { os: string; unassignedReason: string }[];
      reasons: { reason: string }[];
    };
    expect(u.items.length).toBeGreaterThan(0);
    expect(u.items.every((d) => !['iOS', 'iPadOS', 'macOS'].includes(d.os))).toBe(true);
    expect(u.reasons[0]?.reason).toMatch(/no default profile for/);
  });

  it('assigns a CSV through the Business API once the customer has an API account; refuses invalid rows', async () => {
    const csvHeaders = { 'content-type': 'text/csv' };
    const bad = await call(
      'POST',
      '/tokens/acme-hq/assign',
      'serial\nC02XL0GHJGH5\nNOT VALID!\n',
      csvHeaders,
    );
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({
      error: { code: 'CSV_INVALID', message: expect.stringContaining('line 3') },
    });

    sim.businessApi.activityLatencyMs = 0;
    const pool = sim.businessApi.addUnassignedDevices(3);
    const fresh = [pool.serialAt(0), pool.serialAt(1), pool.serialAt(2)];
    const here = sim.devices.serials(1)[0]!;
    const csv = `serial\n${fresh.join('\n')}\n${here}\n${fresh[0]}\nC02ZZZZZZZZZ\n`;

    // No API account for customer acme yet: 409 with what to do, nothing assigned.
    const missing = await call('POST', '/tokens/acme-hq/assign', csv, csvHeaders);
    expect(missing.status).toBe(409);
    expect(missing.json).toMatchObject({
      error: {
        code: 'API_ACCOUNT_MISSING',
        message: expect.stringMatching(/customer "acme".*PUT \/api-accounts\/\{accountId\}/),
      },
    });
    expect(sim.businessApi.orgDevice(fresh[0]!)?.serverId).toBeNull();

    // Bad credentials are refused and nothing is stored.
    const refused = await call('PUT', '/api-accounts/acme-api', {
      clientId: 'BUSINESSAPI.3bb3a62b-0000-4000-8000-000000000000',
      keyId: 'd136aa66-0000-4000-8000-000000000000',
      privateKey: 'not a key',
      customerId: 'acme',
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ error: { code: 'PRIVATE_KEY_INVALID' } });
    expect((await call('GET', '/api-accounts')).json).toEqual([]);
    const unknownField = await call('PUT', '/api-accounts/acme-api', { clientId: 'x', extra: 1 });
    expect(unknownField.status).toBe(422);

    const account = sim.businessApi.createAccount();
    apiPrivateKey = account.privateKey;
    const saved = await call('PUT', '/api-accounts/acme-api', {
      ...account,
      customerId: 'acme',
      name: 'Acme API',
      baseUrl: simUrl,
      tokenUrl: `${simUrl}/auth/oauth2/token`,
    });
    expect(saved.status, saved.text).toBe(200);
    conforms(schemas.apiAccountViewSchema, saved.json);
    expect(saved.json).toMatchObject({
      accountId: 'acme-api',
      customerId: 'acme',
      status: 'unknown',
    });
    const listed = await call('GET', '/api-accounts?customerId=acme');
    expect((listed.json as unknown[]).map((a) => (a as { accountId: string }).accountId)).toEqual([
      'acme-api',
    ]);
    expect((await call('GET', '/api-accounts?customerId=globex')).json).toEqual([]);

    const ok = await call('POST', '/tokens/acme-hq/assign', csv, csvHeaders);
    expect(ok.status, ok.text).toBe(200);
    conforms(schemas.assignResultSchema, ok.json);
    const report = ok.json as z.infer<typeof schemas.assignResultSchema>;
    expect(report.tokenId).toBe('acme-hq');
    expect(report.requested).toBe(5);
    expect([...report.assigned].sort()).toEqual([...fresh].sort());
    expect(report.alreadyOnServer).toEqual([here]);
    expect(report.notFound).toEqual(['C02ZZZZZZZZZ']);
    expect(report.failed).toEqual([]);
    expect(report.duplicates).toBe(1);
    expect(sim.businessApi.orgDevice(fresh[0]!)?.serverId).toBe(sim.businessApi.adeServerId);

    const health = await call('GET', '/api-accounts/acme-api');
    conforms(schemas.apiAccountViewSchema, health.json);
    expect(health.json).toMatchObject({ status: 'valid', lastError: null });
    const nobody = await call('GET', '/api-accounts/nobody');
    expect(nobody.status).toBe(404);
    expect(nobody.json).toMatchObject({ error: { code: 'API_ACCOUNT_NOT_FOUND' } });
    expect((await call('GET', '/api-accounts/bad%20id')).status).toBe(422);

    // Devices not appearing: two more organisation devices on no server are listed with advice.
    const others = sim.businessApi.addUnassignedDevices(2);
    const missingDevices = await call('GET', '/tokens/acme-hq/devices-missing');
    conforms(schemas.devicesMissingSchema, missingDevices.json);
    const serials = (missingDevices.json as { items: { serialNumber: string }[] }).items.map(
      (d) => d.serialNumber,
    );
    expect(serials).toEqual(expect.arrayContaining([others.serialAt(0), others.serialAt(1)]));
    expect(serials).not.toContain(fresh[0]);

    // The next sync receives the assigned devices as added.
    const sync = await manager.syncNow('acme-hq');
    expect(sync.devices.added).toBeGreaterThanOrEqual(3);
    for (const serial of fresh)
      expect((await manager.lookupDevice(serial))?.tokenId).toBe('acme-hq');
  });

  it('walks the troubleshooting table (doctor), for all tokens and one', async () => {
    const all = await call('GET', '/doctor?probe=false');
    conforms(schemas.doctorReportSchema, all.json);
    const report = all.json as {
      attention: boolean;
      findings: { check: string; severity: string; remedy: string }[];
    };
    expect(report.attention).toBe(true);
    const unassigned = report.findings.find((f) => f.check === 'unassigned');
    expect(unassigned?.severity).toBe('warning');
    expect(unassigned?.remedy).toMatch(/default ADE profile for/);
    const serial = sim.devices.serials(1)[0]!;
    const one = await call('GET', `/tokens/acme-hq/doctor?serial=${serial}`);
    conforms(schemas.doctorReportSchema, one.json);
    const rules = (one.json as typeof report).findings.find(
      (f) => f.check === 'profile-rules',
    ) as unknown as {
      details: string[];
    };
    expect(rules.details.join('\n')).toContain(`${serial}: `);
    const sync = (one.json as typeof report).findings.find((f) => f.check === 'sync');
    expect(sync?.severity).toBe('ok');
    // The API account stored by the assign test, with the server link the assignment made.
    const api = (one.json as typeof report).findings.find((f) => f.check === 'business-api') as
      | (DoctorFindingShape & { details: string[] })
      | undefined;
    expect(api?.severity).toBe('ok');
    expect(api?.details.join('\n')).toMatch(/API account acme-api .*: valid/);
    expect(api?.details.join('\n')).toMatch(/matched by server_uuid/);
  });

  it('publishes an OpenAPI document covering every route, from the same schemas', async () => {
    const doc = (await call('GET', '/openapi.json')).json as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.id);
    }
    const post = doc.paths['/tokens']!['post']!.requestBody as {
      content: { 'application/json': { schema: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(post.content['application/json'].schema.properties)).toContain('tokenId');
  });

  it('never answers a secret (canary: the token secrets and the private key)', async () => {
    const record = await storage.getToken('acme-hq');
    const secrets = [
      record?.credentials?.consumerSecret,
      record?.credentials?.accessToken,
      record?.credentials?.accessSecret,
      record?.currentKeyPair?.privateKeyPem.split('\n')[1],
      apiPrivateKey.split('\n')[1],
    ];
    expect(secrets.every((s) => typeof s === 'string' && s.length > 8)).toBe(true);
    // Errors too: a failing sync records an error; its answer must stay clean.
    sim.faults.add({ endpoint: 'account', status: 400, body: 'BAD_REQUEST', times: 5 });
    const failing = await call('GET', '/tokens/acme-hq/doctor');
    expect(
      (failing.json as { findings: { check: string; severity: string }[] }).findings,
    ).toContainEqual(expect.objectContaining({ check: 'sync', severity: 'error' }));
    sim.faults.clear();
    for (const path of [
      '/tokens',
      '/tokens/acme-hq',
      '/tokens/acme-hq/policy',
      '/doctor?probe=false',
      '/api-accounts',
      '/api-accounts/acme-api',
    ]) {
      await call('GET', path);
    }
    const all = seen.join('\n');
    expect(all.length).toBeGreaterThan(10_000);
    for (const secret of secrets) expect(all).not.toContain(secret);
    // No PEM block (a header followed by its body); advice may name the header to expect.
    expect(all).not.toMatch(/PRIVATE KEY-----(\\n|\n|\r)/);
  });

  it('works over node:http through toNodeHandler, SSE included', async () => {
    const server = createServer(toNodeHandler(handler));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const base = `http://127.0.0.1:${port}/abm`;
      const tokens = await fetch(`${base}/tokens`, { headers: { authorization: ADMIN } });
      expect(tokens.status).toBe(200);
      expect(await tokens.json()).toHaveLength(1);
      expect((await fetch(`${base}/tokens`)).status).toBe(403);
      const policy = await fetch(`${base}/tokens/acme-hq/policy/os-defaults`, {
        method: 'PATCH',
        headers: { authorization: ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ tvos: null }),
      });
      expect(policy.status).toBe(200);
      const big = await fetch(`${base}/tokens/acme-hq/server-token`, {
        method: 'PUT',
        headers: { authorization: ADMIN },
        body: new Uint8Array(100_000),
      });
      expect(big.status).toBe(413);
      await fetch(`${base}/tokens/acme-hq/sync`, {
        method: 'POST',
        headers: { authorization: ADMIN },
      });
      const sse = await fetch(`${base}/tokens/acme-hq/sync/events`, {
        headers: { authorization: ADMIN },
      });
      const text = await sse.text();
      expect(text).toContain('event: state');
      expect(text).toContain('"running":false');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
