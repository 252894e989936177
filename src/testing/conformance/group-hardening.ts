import assert from 'node:assert/strict';
import { createKeyring, type KeyProvider } from '../../storage/secrets/key-provider.js';
import { unreadableSecrets } from '../../storage/storage-base.js';
import { dev, lease, rejectsWithCode, testKey } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

const CREDS = {
  consumerKey: 'CK_1',
  consumerSecret: 'CS_canary_secret_1',
  accessToken: 'AT_canary_secret_1',
  accessSecret: 'AS_canary_secret_1',
  accessTokenExpiry: '2100-01-01T00:00:00.000Z',
};

/**
 * Rules that keep a stale writer from winning and one bad record from blocking a token:
 * conditional token updates, lease generations across deletion, owner-checked fences, records
 * with NUL characters, listing tokens under a wrong key. @internal
 */
export function hardeningTests({ it, describe, run }: SuiteContext): void {
  describe('stale writers and bad records', () => {
    it('updateToken writes only while the expected fields hold, and never creates a token', async () => {
      await run(async ({ storage: s }) => {
        assert.ok(s.updateToken, 'adapters built on StorageBase have updateToken');
        assert.equal(await s.updateToken('t1', { name: 'x' }, {}), null, 'no resurrection');
        assert.equal(await s.getToken('t1'), null);
        await s.saveToken('t1', { credentials: CREDS, credentialsId: 'v1', name: 'a' });
        const ok = await s.updateToken('t1', { name: 'b' }, { credentialsId: 'v1' });
        assert.equal(ok?.name, 'b');
        assert.equal(ok?.credentials?.accessToken, CREDS.accessToken);
        await s.saveToken('t1', { credentialsId: 'v2' });
        const stale = await s.updateToken('t1', { name: 'stale' }, { credentialsId: 'v1' });
        assert.equal(stale, null, 'a writer tied to the old credentials version is dropped');
        assert.equal((await s.getToken('t1'))?.name, 'b');
        const c = await s.updateToken(
          't1',
          { name: 'c' },
          { lastError: null, credentialsId: 'v2' },
        );
        assert.equal(c?.name, 'c');
        assert.equal((await s.getToken('t1'))?.name, 'c', '`null` expects the field absent');
        await s.deleteToken('t1');
        assert.equal(
          await s.updateToken('t1', { lastSyncAt: '2025-01-01T00:00:00.000Z' }, {}),
          null,
        );
        assert.equal(await s.getToken('t1'), null, 'a deleted token is not brought back');
        assert.deepEqual((await s.listTokens()).items, []);
      });
    });

    it('never repeats a lease generation for a token id across delete and recreate', async () => {
      await run(async ({ storage: s }) => {
        const first = await lease(s, 't1', 'replica-a');
        await s.applyPage({
          ...first,
          expectedCursor: null,
          nextCursor: 'c1',
          phase: 'sync',
          devices: [dev('A')],
        });
        await s.releaseLease('t1', 'replica-a', first.generation);
        await s.deleteToken('t1');
        const second = await lease(s, 't1', 'replica-b');
        assert.ok(
          second.generation > first.generation,
          `generation after recreate (${second.generation}) must exceed ${first.generation}`,
        );
        await s.applyPage({
          ...second,
          expectedCursor: null,
          nextCursor: 'n1',
          phase: 'full',
          fullFetchId: 'ff',
          devices: [dev('B')],
        });
        // The stale replica's fence (its own generation, even renumbered) is refused.
        await rejectsWithCode(s.markMissingRemoved({ ...first, fullFetchId: 'old' }), 'LEASE_LOST');
        assert.equal((await s.getDevice('t1', 'B'))?.removed, false);
      });
    });

    it('refuses a fence that names another owner than the lease holder', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1', 'replica-a');
        await rejectsWithCode(
          s.setCursor({
            ...f,
            owner: 'replica-b',
            expectedCursor: null,
            cursor: 'c',
            phase: 'sync',
            fullFetchId: null,
          }),
          'LEASE_LOST',
        );
        const ok = await s.setCursor({
          ...f,
          owner: 'replica-a',
          expectedCursor: null,
          cursor: 'c',
          phase: 'sync',
          fullFetchId: null,
        });
        assert.equal(ok.cursor, 'c');
      });
    });

    it('refuses a device with a NUL character as a bad argument (not a storage failure), storing nothing', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await rejectsWithCode(
          s.applyPage({
            ...f,
            expectedCursor: null,
            nextCursor: 'c1',
            phase: 'sync',
            devices: [dev('A'), dev('B', { asset_tag: 'tag\u0000x' })],
          }),
          'INVALID_ARGUMENT',
        );
        await rejectsWithCode(
          s.applyPage({
            ...f,
            expectedCursor: null,
            nextCursor: 'c1',
            phase: 'sync',
            devices: [dev('')],
          }),
          'INVALID_ARGUMENT',
        );
        await rejectsWithCode(
          s.applyPage({
            ...f,
            expectedCursor: null,
            nextCursor: 'c1',
            phase: 'sync',
            devices: [dev('X'.repeat(300))],
          }),
          'INVALID_ARGUMENT',
        );
        assert.equal(await s.getDevice('t1', 'A'), null);
        assert.equal((await s.getCursor('t1'))?.cursor ?? null, null);
      });
    });

    it('reencryptSecrets compare-and-sets: credentials uploaded during a slow key rotation are kept', async () => {
      const k1 = testKey();
      const k2 = testKey();
      const ring1 = createKeyring({ activeKeyId: 'k1', keys: { k1, k2 } });
      const ring2 = createKeyring({ activeKeyId: 'k2', keys: { k1, k2 } });
      let active = ring1;
      // The rotation's first wrap waits for the gate (a slow KMS) while the upload runs; later
      // wraps pass.
      let wraps = 0;
      let reached = (): void => undefined;
      const atGate = new Promise<void>((r) => {
        reached = r;
      });
      let open = (): void => undefined;
      const gate = new Promise<void>((r) => {
        open = r;
      });
      let gated = false;
      const provider: KeyProvider = {
        get activeKeyId() {
          return active.activeKeyId;
        },
        wrapKey: async (dataKey, context) => {
          if (gated && wraps++ === 0) {
            reached();
            await gate;
          }
          return active.wrapKey(dataKey, context);
        },
        unwrapKey: (wrapped, keyId, context) => ring2.unwrapKey(wrapped, keyId, context),
      };
      await run(
        async ({ storage: s }) => {
          await s.saveToken('t1', { credentials: CREDS, credentialsId: 'v1' });
          active = ring2;
          gated = true;
          const rotation = s.reencryptSecrets();
          await atGate;
          const fresh = { ...CREDS, accessToken: 'AT_uploaded_during_rotation' };
          await s.saveToken('t1', { credentials: fresh, credentialsId: 'v2' });
          open();
          await rotation;
          const t = await s.getToken('t1');
          assert.equal(t?.credentials?.accessToken, 'AT_uploaded_during_rotation');
          assert.equal(t?.credentialsId, 'v2');
        },
        { encryptionKey: provider },
      );
    });

    it('lists a token whose secrets it cannot decrypt, without secrets, naming the key (when a peer store can be opened)', async () => {
      const key = testKey();
      await run(
        async (h) => {
          if (h.openPeer === undefined) return;
          await h.storage.saveToken('t1', { credentials: CREDS, name: 'HQ' });
          const peer = await h.openPeer({ encryptionKey: testKey() });
          try {
            const page = await peer.listTokens();
            assert.equal(page.items.length, 1);
            const t = page.items[0];
            assert.equal(t?.name, 'HQ');
            assert.equal(t?.credentials, undefined);
            const marker = (t as unknown as Record<symbol, { keyId: string | null; hint: string }>)[
              unreadableSecrets
            ];
            assert.ok(marker, 'the listed token carries the unreadable marker');
            assert.match(marker.keyId ?? '', /^k-/);
            assert.match(marker.hint, /Buffer/);
            assert.ok(!JSON.stringify(t).includes('canary'), 'no secret in the listed record');
            await rejectsWithCode(peer.getToken('t1'), 'SECRET_DECRYPT_FAILED');
          } finally {
            await peer.close();
          }
        },
        { encryptionKey: key },
      );
    });
  });
}
