import { afterEach, describe, expect, it } from 'vitest';
import { isAbmError } from '../../../src/index.js';
import { defineProfile, enroll, type Harness, harness, only } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('AbmManager token lifecycle', () => {
  it('createKeyPair stores a pending pair and returns the certificate; upload promotes it', async () => {
    h = await harness({ devices: 5 });
    const pem = await h.manager.createKeyPair('t1', { customerId: 'c1', siteId: 's1', name: 'HQ' });
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(pem).not.toMatch(/PRIVATE KEY/);
    const pending = await h.manager.health('t1');
    expect(pending).toMatchObject({ status: 'pending', pendingKeyPair: true, expiresAt: null });
    expect(pending.advice).toMatch(/uploadServerToken/);

    const issued = await h.sim.issueServerToken(pem);
    const health = await h.manager.uploadServerToken('t1', issued.file);
    expect(health).toMatchObject({
      status: 'valid',
      pendingKeyPair: false,
      consumerKey: issued.consumerKey,
      customerId: 'c1',
      siteId: 's1',
      name: 'HQ',
    });
    expect(health.daysLeft).toBeGreaterThan(360);
    const stored = await h.storage.getToken('t1');
    expect(stored?.currentKeyPair?.certificatePem).toBe(pem);
    expect(stored?.pendingKeyPair).toBeUndefined();
  });

  it('renews: the current key keeps working until a token for the new key is uploaded', async () => {
    h = await harness({ devices: 5 });
    const ck = await enroll(h, 't1');
    const oldCert = (await h.storage.getToken('t1'))?.currentKeyPair?.certificatePem;
    const newCert = await h.manager.createKeyPair('t1');
    expect((await h.manager.health('t1')).pendingKeyPair).toBe(true);
    expect((await h.manager.syncNow('t1')).status).toBe('completed');

    // An upload encrypted for the current key is still accepted and keeps the pending pair.
    const again = await h.sim.issueServerToken(oldCert!, { consumer_key: ck });
    await h.manager.uploadServerToken('t1', again.file);
    expect((await h.storage.getToken('t1'))?.pendingKeyPair?.certificatePem).toBe(newCert);

    const renewed = await h.sim.issueServerToken(newCert, { consumer_key: ck });
    const health = await h.manager.uploadServerToken('t1', renewed.file);
    expect(health.pendingKeyPair).toBe(false);
    expect((await h.storage.getToken('t1'))?.currentKeyPair?.certificatePem).toBe(newCert);
    expect((await h.manager.syncNow('t1')).status).toBe('completed');
  });

  it('refuses a token of another MDM server unless forced; forcing re-fetches devices', async () => {
    h = await harness({ devices: 10 });
    await enroll(h, 't1');
    await h.manager.syncNow('t1');
    const cert = (await h.storage.getToken('t1'))?.currentKeyPair?.certificatePem;
    const other = await h.sim.issueServerToken(cert!);
    const error = await h.manager.uploadServerToken('t1', other.file).catch((e: unknown) => e);
    expect(isAbmError(error, 'TOKEN_MISMATCH')).toBe(true);
    expect((error as Error).message).toMatch(/force/);

    await h.manager.uploadServerToken('t1', other.file, { force: true });
    expect((await h.manager.health('t1')).consumerKey).toBe(other.consumerKey);
    const report = await h.manager.syncNow('t1');
    expect(report.fullFetch).toBe(true);
  });

  it('rejects a file no stored key decrypts, and unknown tokens', async () => {
    h = await harness({ devices: 5 });
    await h.manager.createKeyPair('t1');
    const foreignCert = await h.manager.createKeyPair('t2');
    const foreign = await h.sim.issueServerToken(foreignCert);
    const error = await h.manager.uploadServerToken('t1', foreign.file).catch((e: unknown) => e);
    expect(isAbmError(error, 'TOKEN_DECRYPT_FAILED')).toBe(true);
    expect((await h.manager.health('t1')).status).toBe('pending');
    const missing = await h.manager
      .uploadServerToken('nope', foreign.file)
      .catch((e: unknown) => e);
    expect(isAbmError(missing, 'TOKEN_NOT_FOUND')).toBe(true);
    await expect(h.manager.syncNow('nope')).rejects.toMatchObject({ code: 'TOKEN_NOT_FOUND' });
    await expect(h.manager.createKeyPair('bad id!')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('lists tokens by customer and site, without secrets', async () => {
    h = await harness({ devices: 5 });
    await enroll(h, 'a-1', { customerId: 'a', siteId: 'x' });
    await enroll(h, 'a-2', { customerId: 'a', siteId: 'y' });
    await h.manager.createKeyPair('b-1', { customerId: 'b' });
    expect((await h.manager.listTokens()).map((t) => t.tokenId)).toEqual(['a-1', 'a-2', 'b-1']);
    expect((await h.manager.listTokens({ customerId: 'a' })).map((t) => t.tokenId)).toEqual([
      'a-1',
      'a-2',
    ]);
    const [site] = await h.manager.listTokens({ customerId: 'a', siteId: 'y' });
    expect(site).toMatchObject({ tokenId: 'a-2', status: 'valid' });
    expect(JSON.stringify(await h.manager.listTokens())).not.toMatch(/AS_|CS_|AT_|PRIVATE/);
  });

  it('setPolicy validates the policy before storing it and bumps the revision', async () => {
    h = await harness({ devices: 5, platforms: only('iPhone') });
    await enroll(h, 't1');
    const ios = await defineProfile(h.manager, 't1', 'iOS');
    await expect(
      h.manager.setPolicy('t1', { osDefaults: { android: ios } } as never),
    ).rejects.toMatchObject({ code: 'POLICY_INVALID' });
    expect(await h.manager.getPolicy('t1')).toBeNull();
    const first = await h.manager.setPolicy('t1', { osDefaults: { ios } });
    const second = await h.manager.setPolicy('t1', { osDefaults: {} });
    expect(second.revision).toBe(first.revision + 1);
    await expect(h.manager.setPolicy('nope', {})).rejects.toMatchObject({
      code: 'TOKEN_NOT_FOUND',
    });
  });
});
