import { afterEach, describe, expect, it } from 'vitest';
import { AbmManager, MemoryStorage } from '../../../src/index.js';
import { defineProfile, FAST_RETRY, only, startSimulator, TEST_KEY } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('AbmManager lookupDevice and markEnrolled', () => {
  it('routes a serial to its token, customer and site across tokens, and tracks enrollment', async () => {
    const storage = new MemoryStorage({ encryptionKey: TEST_KEY });
    const manager = new AbmManager({ storage, retry: FAST_RETRY, telemetry: false });
    closers.push(() => manager.stop());
    const serials: Record<string, string> = {};
    for (const [tokenId, seed] of [
      ['north', 11],
      ['south', 22],
    ] as const) {
      const { sim, url } = await startSimulator({ devices: 10, seed, platforms: only('iPhone') });
      closers.push(() => sim.close());
      const pem = await manager.createKeyPair(tokenId, {
        customerId: `cust-${tokenId}`,
        siteId: `site-${tokenId}`,
        baseUrl: url,
      });
      await manager.uploadServerToken(tokenId, (await sim.issueServerToken(pem)).file);
      const ios = await defineProfile(manager, tokenId, 'iOS');
      await manager.setPolicy(tokenId, { osDefaults: { ios } });
      await manager.syncNow(tokenId);
      serials[tokenId] = sim.devices.serials(1)[0]!;
    }

    const found = await manager.lookupDevice(` ${serials['south']!.toLowerCase()} `);
    expect(found).toMatchObject({
      tokenId: 'south',
      customerId: 'cust-south',
      siteId: 'site-south',
      serialNumber: serials['south'],
      status: 'assigned',
    });
    expect(found?.profileUuid).toMatch(/\S/);
    expect(await manager.lookupDevice('NOSUCHSERIAL')).toBeNull();

    expect(await manager.markEnrolled('north', serials['north']!)).toBe(true);
    expect((await manager.lookupDevice(serials['north']!))?.status).toBe('enrolled');
    expect(await manager.markEnrolled('north', 'NOSUCHSERIAL')).toBe(false);
    const enrolled = await manager.listDevices('north', { status: 'enrolled' });
    expect(enrolled.items.map((d) => d.serialNumber)).toEqual([serials['north']]);
    // A later sync keeps the enrolled state.
    await manager.syncNow('north');
    expect((await manager.lookupDevice(serials['north']!))?.status).toBe('enrolled');
  });
});
