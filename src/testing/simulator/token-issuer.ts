/**
 * `sim.issueServerToken`: registers fresh credentials and encrypts them to the admin's
 * certificate the way ABM does, using abmkit's own CMS encoder.
 *
 * @internal
 * @module
 */
import { encryptServerToken } from '../../crypto/encrypt-server-token.js';
import type { SimState } from './state.js';
import type { SimIssuedServerToken, SimIssueServerTokenOptions } from './types.js';

/** @internal */
export async function issueServerToken(
  state: SimState,
  certificatePem: string,
  options: SimIssueServerTokenOptions,
): Promise<SimIssuedServerToken> {
  const { contentCipher, keyTransport, format, lineEnding, ...tokenOptions } = options;
  const previous =
    tokenOptions.consumer_key === undefined
      ? undefined
      : state.tokens.get(tokenOptions.consumer_key);
  const credentials = state.createToken(tokenOptions);
  const record = state.tokens.get(credentials.consumer_key);
  const expiresAt = new Date(record?.expiresAt ?? Date.parse(credentials.access_token_expiry));
  try {
    const file = await encryptServerToken(
      {
        consumerKey: credentials.consumer_key,
        consumerSecret: credentials.consumer_secret,
        accessToken: credentials.access_token,
        accessSecret: credentials.access_secret,
        accessTokenExpiry: new Date(Date.parse(credentials.access_token_expiry)),
      },
      certificatePem,
      {
        ...(contentCipher ? { contentCipher } : {}),
        ...(keyTransport ? { keyTransport } : {}),
        ...(lineEnding ? { lineEnding } : {}),
        format: format ?? 'smime',
      },
    );
    const stamp = new Date(state.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const server = state.account.server_name.replace(/[^A-Za-z0-9]+/g, '_');
    return {
      file,
      filename: `${server}_Token_${stamp}_smime.p7m`,
      consumerKey: credentials.consumer_key,
      expiresAt,
      renewal: previous !== undefined,
    };
  } catch (error) {
    // The credentials never reached anyone: forget them (a renewal keeps the previous ones).
    if (previous) state.tokens.set(credentials.consumer_key, previous);
    else state.tokens.delete(credentials.consumer_key);
    throw error;
  }
}
