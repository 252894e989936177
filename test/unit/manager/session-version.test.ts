import { describe, expect, it } from 'vitest';
import { storageSessionCache } from '../../../src/auth/storage-session-cache.js';
import { MemoryStorage } from '../../../src/index.js';
import { TEST_KEY } from './helpers.js';

describe('sessions are tied to the credentials version', () => {
  it('a session stored by a run with the old credentials is ignored by the renewed ones', async () => {
    const storage = new MemoryStorage({ encryptionKey: TEST_KEY });
    const renewed = storageSessionCache({ storage, tokenId: 't', version: 'version-2' });
    const stale = storageSessionCache({ storage, tokenId: 't', version: 'version-1' });
    // The old run logs in again after the renewal and stores its session under the token id.
    await stale.set('t', 'old-session');
    expect(await renewed.get('t')).toBeUndefined();
    await renewed.set('t', 'new-session');
    expect(
      await storageSessionCache({ storage, tokenId: 't', version: 'version-2' }).get('t'),
    ).toBe('new-session');
    expect(
      await storageSessionCache({ storage, tokenId: 't', version: 'version-1' }).get('t'),
    ).toBeUndefined();
  });
});
