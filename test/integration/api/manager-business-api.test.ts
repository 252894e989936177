import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AbmManager, isAbmError, profilePreset } from '../../../src/index.js';
import { createDepSimulator } from '../../../src/testing/index.js';
import { memoryKind, postgresKind, type StoreKind } from '../manager/stores.js';

const kinds: StoreKind[] = [memoryKind(), await postgresKind()];
afterAll(async () => {
  for (const k of kinds) await k.dispose();
});

for (const kind of kinds) {
  describe.skipIf(!kind.available)(`Business API with AbmManager on ${kind.name}`, () => {
    it('CSV → REST assignment → ADE sync → profile assigned; link in health(); devices not appearing', async () => {
      const sim = createDepSimulator({
        devices: 50,
        seed: 5,
        platforms: { iPhone: 1, iPad: 0, Mac: 0, AppleTV: 0, Vision: 0, Watch: 0 },
      });
      const url = await sim.listen();
      const storage = await kind.open(`biz-${Date.now()}`);
      const manager = new AbmManager({
        storage,
        baseUrl: url,
        telemetry: false,
        retry: { limit: 1, baseDelayMs: 1 },
      });
      sim.businessApi.activityLatencyMs = 0;
      try {
        const pem = await manager.createKeyPair('t', { customerId: 'cust', siteId: 'hq' });
        await manager.uploadServerToken('t', (await sim.issueServerToken(pem)).file);
        const client = await manager.client('t');
        const ios = (
          await client.defineProfile(
            profilePreset('automated', { name: 'iOS', url: 'https://m.example/e' }),
          )
        ).profile_uuid;
        await manager.setPolicy('t', { osDefaults: { ios } });
        const first = await manager.syncNow('t');
        expect(first.devices.added).toBe(50);

        // Bad credentials: typed error, nothing stored.
        const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ format: 'pem', type: 'pkcs8' })
          .toString();
        const bad = await manager
          .saveApiAccount('bad', {
            clientId: 'BUSINESSAPI.0000-1111-2222',
            keyId: 'KEY-1',
            privateKey: rsa,
            customerId: 'cust',
          })
          .catch((e: unknown) => e);
        expect(isAbmError(bad) && bad.code).toBe('PRIVATE_KEY_INVALID');
        expect(await manager.listApiAccounts()).toEqual([]);

        const account = sim.businessApi.createAccount();
        const events: string[] = [];
        manager.on('apiAccount.health', (e) => void events.push(e.account.status));
        await manager.saveApiAccount('acc', {
          ...account,
          customerId: 'cust',
          baseUrl: url,
          tokenUrl: `${url}/auth/oauth2/token`,
        });
        const summary = (await manager.listApiAccounts({ customerId: 'cust' }))[0];
        expect(summary).toMatchObject({
          accountId: 'acc',
          clientId: account.clientId,
          status: 'unknown',
        });
        expect(JSON.stringify(summary)).not.toContain('PRIVATE KEY');

        const link = await manager.linkServer('t');
        expect(link).toMatchObject({
          serverId: sim.businessApi.adeServerId,
          matchedBy: 'server_uuid',
          accountId: 'acc',
        });
        expect((await manager.health('t')).serverLink).toEqual(link);
        // Fallback by name when server_uuid does not match any REST id.
        const token = await storage.getToken('t');
        await storage.saveToken('t', {
          account: { ...token?.account, server_uuid: '00000000-0000-0000-0000-000000000000' },
        });
        const byName = await manager.linkServer('t');
        expect(byName).toMatchObject({ serverId: sim.businessApi.adeServerId, matchedBy: 'name' });
        await storage.saveToken('t', { account: token?.account ?? {} });

        // Devices not appearing: 3 in the organisation on no server.
        const pool = sim.businessApi.addUnassignedDevices(3);
        const serials = [0, 1, 2].map(pool.serialAt);
        const elsewhere: string[] = [];
        for await (const d of manager.listOrgDevices('t')) elsewhere.push(d.serialNumber);
        expect(elsewhere.sort()).toEqual([...serials].sort());

        // CSV → REST assignment
        const csv = `serial\n${serials.join('\n')}\nNOSUCHDEV9\nnot a serial!\n`;
        const report = await manager.assignDevices('t', csv, { poll: { intervalMs: 1 } });
        expect(report.assigned.sort()).toEqual([...serials].sort());
        expect(report.notFound).toEqual(['NOSUCHDEV9']);
        expect(report.invalid).toHaveLength(1);
        expect(events).toEqual(['valid']);
        const again = await manager.assignDevices('t', csv, {
          report: 'counts',
          poll: { intervalMs: 1 },
        });
        expect(again.counts).toMatchObject({
          assigned: 0,
          alreadyOnServer: 3,
          notFound: 1,
          invalid: 1,
        });

        // → ADE sync → profile assigned
        const next = await manager.syncNow('t');
        expect(next.devices.added).toBe(3);
        expect(next.profiles.assigned).toBe(3);
        for (const s of serials) expect(sim.devices.get(s)?.profile_uuid).toBe(ios);
        for (const s of serials) expect((await manager.lookupDevice(s))?.tokenId).toBe('t');
        const left: string[] = [];
        for await (const d of manager.listOrgDevices('t')) left.push(d.serialNumber);
        expect(left).toEqual([]);

        // A revoked key shows in the account's health and its event.
        sim.businessApi.revokeAccount(account.clientId);
        const failed = await manager
          .assignDevices('t', [serials[0] as string])
          .catch((e: unknown) => e);
        expect(isAbmError(failed) && failed.code).toBe('AUTH_FAILED');
        expect((await manager.apiAccountHealth('acc')).status).toBe('key-revoked');
        expect(events).toEqual(['valid', 'key-revoked']);
      } finally {
        await manager.stop();
        await storage.close();
        await sim.close();
      }
    });
  });
}
