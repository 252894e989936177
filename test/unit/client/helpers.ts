import { AbmClient, type AbmClientOptions } from '../../../src/index.js';
import { BASE, FAST_RETRY, testToken } from '../../msw/fixtures.js';

/** A client pointed at the msw fake with fast retries. */
export function makeClient(overrides: Partial<AbmClientOptions> = {}): AbmClient {
  return new AbmClient({ token: testToken(), baseUrl: BASE, retry: FAST_RETRY, ...overrides });
}

/** Account body for `GET /account`. */
export const ACCOUNT = {
  server_name: 'Test MDM',
  server_uuid: '677cab70-fe18-11e2-b778-0800200c9a66',
  org_name: 'Example Org',
  admin_id: 'admin@example.com',
};
