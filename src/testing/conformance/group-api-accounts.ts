import assert from 'node:assert/strict';
import type { ApiAccountStore } from '../../storage/api-accounts/types.js';
import type { AbmStorage } from '../../storage/types.js';
import { dumpText, rejectsWithCode, rotatingKeys, uid } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

function store(s: AbmStorage): ApiAccountStore {
  assert.ok(
    s.apiAccounts,
    'storage.apiAccounts is missing: implement ApiAccountStore (or pass { apiAccounts: false } to skip these tests)',
  );
  return s.apiAccounts;
}

const PEM = (canary: string): string =>
  `-----BEGIN EC PRIVATE KEY-----\n${canary}\n-----END EC PRIVATE KEY-----\n`;

/** Business API accounts and token → server links. @internal */
export function apiAccountTests({ it, describe, run }: SuiteContext): void {
  describe('api accounts', () => {
    it('saves, patches, lists by customer and site, pages and deletes accounts', async () => {
      await run(async ({ storage }) => {
        const a = store(storage);
        const saved = await a.saveApiAccount('acc-1', {
          clientId: 'BUSINESSAPI.1',
          keyId: 'K1',
          privateKeyPem: PEM('AAAA'),
          customerId: 'c1',
          siteId: 's1',
        });
        assert.equal(saved.privateKeyPem, PEM('AAAA'));
        await a.saveApiAccount('acc-2', {
          clientId: 'BUSINESSAPI.2',
          keyId: 'K2',
          privateKeyPem: PEM('BBBB'),
          customerId: 'c1',
        });
        await a.saveApiAccount('acc-3', {
          clientId: 'SCHOOLAPI.3',
          keyId: 'K3',
          privateKeyPem: PEM('CCCC'),
          customerId: 'c2',
        });
        const patched = await a.saveApiAccount('acc-1', {
          name: 'HQ',
          siteId: null,
          healthStatus: 'valid',
        });
        assert.equal(patched.name, 'HQ');
        assert.equal(patched.siteId, undefined);
        assert.equal(patched.privateKeyPem, PEM('AAAA'));
        assert.equal(patched.createdAt, saved.createdAt);
        const c1 = await a.listApiAccounts({ customerId: 'c1' });
        assert.deepEqual(
          c1.items.map((x) => x.accountId),
          ['acc-1', 'acc-2'],
        );
        const first = await a.listApiAccounts({ limit: 2 });
        assert.equal(first.items.length, 2);
        assert.notEqual(first.nextCursor, null);
        const rest = await a.listApiAccounts({ limit: 2, cursor: first.nextCursor ?? undefined });
        assert.deepEqual(
          rest.items.map((x) => x.accountId),
          ['acc-3'],
        );
        assert.equal(await a.deleteApiAccount('acc-2'), true);
        assert.equal(await a.deleteApiAccount('acc-2'), false);
        assert.equal(await a.getApiAccount('acc-2'), null);
      });
    });

    it('keeps the private key sealed at rest and refuses incomplete accounts without storing them', async () => {
      await run(async ({ storage, rawDump }) => {
        const a = store(storage);
        const canary = `CANARY${uid('k').replace(/-/g, '')}`;
        await a.saveApiAccount('acc-secret', {
          clientId: 'BUSINESSAPI.9',
          keyId: 'K9',
          privateKeyPem: PEM(canary),
        });
        assert.ok(
          !dumpText(await rawDump()).includes(canary),
          'the private key appears in plaintext',
        );
        await rejectsWithCode(
          a.saveApiAccount('acc-bad', { clientId: 'BUSINESSAPI.8', keyId: 'K8' }),
          'INVALID_ARGUMENT',
        );
        await rejectsWithCode(
          a.saveApiAccount('', { clientId: 'x', keyId: 'y', privateKeyPem: 'z' }),
          'INVALID_ARGUMENT',
        );
        assert.equal(await a.getApiAccount('acc-bad'), null);
      });
    });

    it('re-seals private keys under the active key after a rotation', async () => {
      const keys = await rotatingKeys();
      await run(
        async ({ storage }) => {
          const a = store(storage) as ApiAccountStore & {
            reencryptSecrets?: () => Promise<{ reencrypted: number }>;
          };
          await a.saveApiAccount('acc-r', {
            clientId: 'BUSINESSAPI.r',
            keyId: 'KR',
            privateKeyPem: PEM('RRRR'),
          });
          keys.rotate();
          assert.equal(typeof a.reencryptSecrets, 'function', 'the store has reencryptSecrets()');
          assert.equal((await a.reencryptSecrets?.())?.reencrypted, 1);
          keys.retireOld();
          assert.equal((await a.getApiAccount('acc-r'))?.privateKeyPem, PEM('RRRR'));
          assert.equal((await a.reencryptSecrets?.())?.reencrypted, 0);
        },
        { encryptionKey: keys.provider },
      );
    });

    it("storage.reencryptSecrets() re-seals the accounts' private keys with the token secrets", async () => {
      const keys = await rotatingKeys();
      await run(
        async ({ storage }) => {
          const a = store(storage);
          await a.saveApiAccount('acc-s', {
            clientId: 'BUSINESSAPI.s',
            keyId: 'KS',
            privateKeyPem: PEM('SSSS'),
          });
          keys.rotate();
          const moved = await storage.reencryptSecrets();
          assert.ok(moved.reencrypted >= 1, 'the account key was re-sealed');
          // The old key is gone: the account's private key still opens.
          keys.retireOld();
          assert.equal((await a.getApiAccount('acc-s'))?.privateKeyPem, PEM('SSSS'));
          assert.equal((await storage.reencryptSecrets()).reencrypted, 0);
        },
        { encryptionKey: keys.provider },
      );
    });

    it('stores token → server links, visible to a second store over the same data', async () => {
      await run(async ({ storage, openPeer }) => {
        const a = store(storage);
        const link = {
          tokenId: 't1',
          accountId: 'acc-1',
          serverId: 'ABCDEF0123456789ABCDEF0123456789',
          serverName: 'MDM',
          matchedBy: 'server_uuid' as const,
          linkedAt: '2026-01-01T00:00:00.000Z',
        };
        await a.saveServerLink(link);
        assert.deepEqual(await a.getServerLink('t1'), link);
        assert.equal(await a.getServerLink('t2'), null);
        if (openPeer) {
          const peer = await openPeer({ encryptionKey: undefined, allowPlaintextSecrets: true });
          try {
            assert.deepEqual(await store(peer).getServerLink('t1'), link);
          } finally {
            await peer.close();
          }
        }
        assert.equal(await a.deleteServerLink('t1'), true);
        assert.equal(await a.getServerLink('t1'), null);
      });
    });
  });
}
