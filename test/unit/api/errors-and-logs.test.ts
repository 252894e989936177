import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseActivityLog } from '../../../src/api/activity-log.js';
import { isAbmError } from '../../../src/errors/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ devices: 3 });
});
afterAll(async () => {
  await h.sim.close();
});
beforeEach(() => h.sim.faults.clear());

const jsonApi = (status: number, code: string, detail: string) => ({
  errors: [{ status: String(status), code, title: code, detail }],
});

describe('JSON:API errors', () => {
  it('map to codes with advice and keep Apple’s code and detail', async () => {
    const client = h.client();
    await client.mdmServer(h.sim.businessApi.adeServerId);
    const cases: [number, string, string][] = [
      [403, 'FORBIDDEN', 'ACCESS_DENIED'],
      [409, 'ENTITY_ERROR.ATTRIBUTE.INVALID', 'API_ERROR'],
      [400, 'PARAMETER_ERROR.INVALID', 'API_ERROR'],
      [404, 'NOT_FOUND', 'NOT_FOUND'],
    ];
    for (const [status, code, expected] of cases) {
      h.sim.faults.add({
        endpoint: 'mdmServers',
        status,
        body: jsonApi(status, code, `because ${code}`),
      });
      const err = await client.mdmServer(h.sim.businessApi.adeServerId).catch((e: unknown) => e);
      expect(isAbmError(err) && err.code, code).toBe(expected);
      expect((err as { appleCode?: string }).appleCode).toBe(code);
      expect((err as Error).message).toContain(`because ${code}`);
    }
  });

  it('maps invalid_scope at the token endpoint to CONFIGURATION_INVALID', async () => {
    h.sim.faults.add({ endpoint: 'apiToken', status: 400, body: { error: 'invalid_scope' } });
    const err = await h
      .client()
      .mdmServer(h.sim.businessApi.adeServerId)
      .catch((e: unknown) => e);
    expect(isAbmError(err) && err.code).toBe('CONFIGURATION_INVALID');
    expect((err as Error).message).toMatch(/BUSINESSAPI/);
  });

  it('refuses an oversized response instead of buffering it', async () => {
    const client = h.client({ maxResponseBytes: 2048 });
    h.sim.faults.add({
      endpoint: 'orgDevices',
      status: 200,
      body: { data: [], pad: 'x'.repeat(10_000) },
    });
    const err = await client
      .orgDevice(h.sim.devices.serials(1)[0] as string)
      .catch((e: unknown) => e);
    expect(isAbmError(err) && err.code).toBe('RESPONSE_INVALID');
  });

  it('never follows a redirect with the bearer token', async () => {
    let sawAuth = false;
    const evil = createServer((req, res) => {
      if (req.headers.authorization) sawAuth = true;
      res.end('{}');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const port = (evil.address() as { port: number }).port;
    try {
      h.sim.faults.add({
        endpoint: 'mdmServers',
        status: 302,
        times: 10,
        headers: { location: `http://127.0.0.1:${port}/steal` },
      });
      const err = await h
        .client()
        .mdmServer(h.sim.businessApi.adeServerId)
        .catch((e: unknown) => e);
      // A typed, non-retried refusal naming the target origin, not a network failure.
      expect(isAbmError(err) && err.code).toBe('REDIRECT_REFUSED');
      expect((err as { status?: number }).status).toBe(302);
      expect((err as { location?: string }).location).toBe(`http://127.0.0.1:${port}`);
      expect((err as { attempts?: number }).attempts).toBe(1);
      expect((err as Error).message).not.toContain('ADE base URL');
      expect((err as Error).message).toMatch(/baseUrl/);
      expect(sawAuth).toBe(false);
    } finally {
      await new Promise<void>((r) => evil.close(() => r()));
    }
  });
});

describe('activity logs', () => {
  it('reads CSV (any delimiter, quoted reasons) and JSON per serial, and keeps unknown formats raw', () => {
    expect(
      parseActivityLog(
        'Serial Number;Result;Error Message\r\nc02abc;Success;\r\nC02DEF;Failed;"Not found; gone"\r\n',
      ).entries,
    ).toEqual([
      { serialNumber: 'C02ABC', ok: true, status: 'Success' },
      { serialNumber: 'C02DEF', ok: false, status: 'Failed', reason: 'Not found; gone' },
    ]);
    expect(
      parseActivityLog(
        JSON.stringify([
          { serialNumber: 'A1', status: 'COMPLETED' },
          { serial: 'b2', result: 'FAILED', message: 'x' },
        ]),
      ).entries,
    ).toEqual([
      { serialNumber: 'A1', ok: true, status: 'COMPLETED' },
      { serialNumber: 'B2', ok: false, status: 'FAILED', reason: 'x' },
    ]);
    for (const raw of [
      'Activity finished with 2 errors.',
      '',
      '{"unexpected": true}',
      'a,b\n1,2',
    ]) {
      const log = parseActivityLog(raw);
      expect(log.entries).toBeUndefined();
      expect(log.raw).toBe(raw);
    }
  });
});
