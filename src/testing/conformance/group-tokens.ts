import assert from 'node:assert/strict';
import { dumpText, rejectsWithCode, rotatingKeys, testKey, uid, withStore } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

const PEM = (canary: string) =>
  `-----BEGIN PRIVATE KEY-----\n${canary}\n-----END PRIVATE KEY-----\n`;

/** Tokens, sessions, secrets at rest and key rotation. @internal */
export function tokenTests({ it, describe, run, factory }: SuiteContext): void {
  describe('tokens', () => {
    it('creates, patches (null removes a field) and reads a token', async () => {
      await run(async ({ storage: s }) => {
        const a = await s.saveToken('t1', { name: 'Acme', customerId: 'c1', siteId: 's1' });
        assert.equal(a.tokenId, 't1');
        assert.equal(a.name, 'Acme');
        assert.ok(Date.parse(a.createdAt) > 0);
        const b = await s.saveToken('t1', { healthStatus: 'valid', siteId: null });
        assert.equal(b.name, 'Acme');
        assert.equal(b.healthStatus, 'valid');
        assert.equal(b.siteId, undefined);
        assert.equal(b.createdAt, a.createdAt);
        const got = await s.getToken('t1');
        assert.deepEqual(got, b);
        assert.equal(await s.getToken('nope'), null);
      });
    });

    it('moves updatedAt forward on every write, also within one millisecond', async () => {
      await run(async ({ storage: s }) => {
        const stamps: string[] = [
          (await s.saveToken('t1', { name: 'A', credentialsId: 'c1' })).updatedAt,
        ];
        for (let i = 0; i < 5; i++) {
          stamps.push((await s.saveToken('t1', { name: `A${i}` })).updatedAt);
          const updated = await s.updateToken?.('t1', { name: `B${i}` }, { credentialsId: 'c1' });
          if (updated) stamps.push(updated.updatedAt);
        }
        for (let i = 1; i < stamps.length; i++) {
          assert.ok(
            Date.parse(stamps[i] as string) > Date.parse(stamps[i - 1] as string),
            `write ${i}: ${stamps[i]} after ${stamps[i - 1]}`,
          );
        }
        assert.equal((await s.getToken('t1'))?.updatedAt, stamps.at(-1));
      });
    });

    it('round-trips credentials, key pairs, account and error records', async () => {
      await run(async ({ storage: s }) => {
        const creds = {
          consumerKey: 'CK_1',
          consumerSecret: 'CS_secret',
          accessToken: 'AT_token',
          accessSecret: 'AS_secret',
          accessTokenExpiry: '2030-01-01T00:00:00.000Z',
        };
        const kp = {
          certificatePem: 'CERT',
          privateKeyPem: PEM('k1'),
          createdAt: '2025-01-01T00:00:00.000Z',
        };
        await s.saveToken('t1', {
          credentials: creds,
          currentKeyPair: kp,
          pendingKeyPair: { ...kp, privateKeyPem: PEM('k2') },
          account: { server_name: 'MDM', org_name: 'Org' },
          lastError: { code: 'TOKEN_EXPIRED', message: 'expired', at: '2025-01-02T00:00:00.000Z' },
        });
        const t = await s.getToken('t1');
        assert.deepEqual(t?.credentials, creds);
        assert.deepEqual(t?.currentKeyPair, kp);
        assert.equal(t?.pendingKeyPair?.privateKeyPem, PEM('k2'));
        assert.deepEqual(t?.account, { server_name: 'MDM', org_name: 'Org' });
        assert.equal(t?.lastError?.code, 'TOKEN_EXPIRED');
        // promote pending → current, clear pending
        await s.saveToken('t1', {
          currentKeyPair: t?.pendingKeyPair ?? null,
          pendingKeyPair: null,
        });
        const u = await s.getToken('t1');
        assert.equal(u?.currentKeyPair?.privateKeyPem, PEM('k2'));
        assert.equal(u?.pendingKeyPair, undefined);
      });
    });

    it('lists tokens by customer and site, paged, ordered by id', async () => {
      await run(async ({ storage: s }) => {
        for (let i = 0; i < 7; i++) {
          await s.saveToken(`tok-${i}`, {
            customerId: i % 2 === 0 ? 'even' : 'odd',
            siteId: `site-${i % 3}`,
          });
        }
        const evens = await s.listTokens({ customerId: 'even' });
        assert.deepEqual(
          evens.items.map((t) => t.tokenId),
          ['tok-0', 'tok-2', 'tok-4', 'tok-6'],
        );
        const site = await s.listTokens({ customerId: 'even', siteId: 'site-0' });
        assert.deepEqual(
          site.items.map((t) => t.tokenId),
          ['tok-0', 'tok-6'],
        );
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const p = await s.listTokens({ limit: 3, cursor });
          assert.ok(p.items.length <= 3);
          ids.push(...p.items.map((t) => t.tokenId));
          cursor = p.nextCursor ?? undefined;
        } while (cursor !== undefined);
        assert.deepEqual(ids, ['tok-0', 'tok-1', 'tok-2', 'tok-3', 'tok-4', 'tok-5', 'tok-6']);
      });
    });

    it('caches sessions, hides expired ones, deletes them', async () => {
      await run(async ({ storage: s }) => {
        await s.putSession('t1', {
          sessionToken: 'sess-1',
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        });
        assert.equal((await s.getSession('t1'))?.sessionToken, 'sess-1');
        assert.equal(await s.getSession('t2'), null);
        await s.putSession('t2', {
          sessionToken: 'old',
          expiresAt: new Date(Date.now() - 1000).toISOString(),
        });
        assert.equal(await s.getSession('t2'), null);
        await s.deleteSession('t1');
        assert.equal(await s.getSession('t1'), null);
      });
    });

    it('stores a session to expire a while after the store clock reads now (putSessionFor)', async () => {
      await run(async ({ storage: s }) => {
        if (s.putSessionFor === undefined) return;
        const before = Date.parse(await s.now());
        await s.putSessionFor('t1', { sessionToken: 'sess-for', ttlMs: 60_000 });
        const after = Date.parse(await s.now());
        const got = await s.getSession('t1');
        assert.equal(got?.sessionToken, 'sess-for');
        const expires = Date.parse(got?.expiresAt ?? '');
        assert.ok(expires >= before + 60_000 && expires <= after + 60_000, got?.expiresAt);
        // Replaced by the next one; a bad ttl is refused at the door.
        await s.putSessionFor('t1', { sessionToken: 'sess-next', ttlMs: 60_000 });
        assert.equal((await s.getSession('t1'))?.sessionToken, 'sess-next');
        await assert.rejects(
          s.putSessionFor('t1', { sessionToken: 'x', ttlMs: 0 }),
          (e: { code?: string }) => e.code === 'INVALID_ARGUMENT',
        );
      });
    });
  });

  describe('secrets at rest', () => {
    it('never stores the plaintext of a canary secret', async () => {
      await run(async (h) => {
        const canary = uid('CANARY_PLAINTEXT_9f1c');
        await h.storage.saveToken('t-canary', {
          credentials: {
            consumerKey: 'CK_public',
            consumerSecret: `CS_${canary}`,
            accessToken: `AT_${canary}`,
            accessSecret: `AS_${canary}`,
            accessTokenExpiry: '2030-01-01T00:00:00.000Z',
          },
          currentKeyPair: {
            certificatePem: 'CERT',
            privateKeyPem: PEM(canary),
            createdAt: '2025-01-01T00:00:00.000Z',
          },
          pendingKeyPair: {
            certificatePem: 'CERT',
            privateKeyPem: PEM(`${canary}-p`),
            createdAt: '2025-01-01T00:00:00.000Z',
          },
        });
        await h.storage.putSession('t-canary', {
          sessionToken: `SESS_${canary}`,
          expiresAt: '2100-01-01T00:00:00.000Z',
        });
        const dump = dumpText(await h.rawDump());
        assert.ok(
          dump.includes('CK_public'),
          'rawDump() must return the stored data (consumer key missing)',
        );
        assert.ok(!dump.includes(canary), 'a secret was stored in plaintext');
        assert.ok(
          !dump.includes(Buffer.from(canary).toString('base64').slice(0, 16)),
          'a secret was stored base64-encoded',
        );
        assert.equal(
          (await h.storage.getToken('t-canary'))?.credentials?.accessSecret,
          `AS_${canary}`,
        );
        assert.equal((await h.storage.getSession('t-canary'))?.sessionToken, `SESS_${canary}`);
      });
    });

    it('refuses to save secrets without a key, unless plaintext is explicitly allowed', async () => {
      await withStore(factory, {}, async ({ storage: s }) => {
        await s.saveToken('t1', { name: 'no secrets is fine' });
        await rejectsWithCode(
          s.saveToken('t1', {
            currentKeyPair: {
              certificatePem: 'C',
              privateKeyPem: 'K',
              createdAt: '2025-01-01T00:00:00.000Z',
            },
          }),
          'SECRET_KEY_REQUIRED',
        );
        await rejectsWithCode(
          s.putSession('t1', { sessionToken: 'x', expiresAt: '2100-01-01T00:00:00.000Z' }),
          'SECRET_KEY_REQUIRED',
        );
        assert.equal((await s.getToken('t1'))?.currentKeyPair, undefined);
      });
      await withStore(factory, { allowPlaintextSecrets: true }, async ({ storage: s }) => {
        await s.putSession('t1', { sessionToken: 'x', expiresAt: '2100-01-01T00:00:00.000Z' });
        assert.equal((await s.getSession('t1'))?.sessionToken, 'x');
      });
    });

    it('rotates keys: old records stay readable, reencryptSecrets moves them to the active key', async () => {
      const keys = await rotatingKeys();
      await run(
        async ({ storage: s }) => {
          await s.saveToken('t1', {
            credentials: {
              consumerKey: 'CK',
              consumerSecret: 'CS_x',
              accessToken: 'AT_x',
              accessSecret: 'AS_x',
              accessTokenExpiry: '2030-01-01T00:00:00.000Z',
            },
          });
          await s.putSession('t1', { sessionToken: 'sess', expiresAt: '2100-01-01T00:00:00.000Z' });
          keys.rotate();
          assert.equal((await s.getToken('t1'))?.credentials?.consumerSecret, 'CS_x');
          const r = await s.reencryptSecrets();
          assert.equal(r.reencrypted, 2);
          keys.retireOld();
          assert.equal((await s.getToken('t1'))?.credentials?.accessToken, 'AT_x');
          assert.equal((await s.getSession('t1'))?.sessionToken, 'sess');
          const again = await s.reencryptSecrets();
          assert.equal(again.reencrypted, 0);
        },
        { encryptionKey: keys.provider },
      );
    });

    it('fails with SecretDecryptError under the wrong key (when a peer store can be opened)', async () => {
      await run(async (h) => {
        if (h.openPeer === undefined) return;
        await h.storage.putSession('t1', {
          sessionToken: 'sess',
          expiresAt: '2100-01-01T00:00:00.000Z',
        });
        const peer = await h.openPeer({ encryptionKey: testKey() });
        try {
          await rejectsWithCode(peer.getSession('t1'), 'SECRET_DECRYPT_FAILED');
        } finally {
          await peer.close();
        }
      });
    });
  });
}
