import { randomUUID } from 'node:crypto';
import { serverTokenToJSON } from '../crypto/create-server-token.js';
import { decryptServerToken } from '../crypto/decrypt-server-token.js';
import { generateKeyPair } from '../crypto/generate-key-pair.js';
import { loadPrivateKey } from '../crypto/lib/private-key.js';
import type { ServerToken } from '../crypto/server-token.js';
import {
  InvalidArgumentError,
  isAbmError,
  TokenDecryptError,
  TokenMismatchError,
  TokenNotFoundError,
} from '../errors/index.js';
import type { KeyPairRecord, TokenPatch, TokenRecord } from '../storage/types.js';
import type { ManagerContext } from './context.js';
import { recordHealth } from './health-transition.js';
import type { CreateKeyPairOptions, UploadServerTokenOptions } from './types.js';

const TOKEN_ID = /^[A-Za-z0-9._:@-]{1,200}$/;

/** Checks a token id before it reaches storage. @internal */
export function checkTokenId(tokenId: unknown): string {
  if (typeof tokenId !== 'string' || !TOKEN_ID.test(tokenId)) {
    throw new InvalidArgumentError(
      'tokenId must be 1 to 200 characters of letters, digits and . _ : @ -',
    );
  }
  return tokenId;
}

/** The stored token, or `TokenNotFoundError`. @internal */
export async function requireToken(ctx: ManagerContext, tokenId: string): Promise<TokenRecord> {
  const token = await ctx.storage.getToken(checkTokenId(tokenId));
  if (token === null) throw new TokenNotFoundError(tokenId);
  return token;
}

/**
 * Adds the token's details given with a key pair (customer, site, name, base URL) to `patch`,
 * and marks a token created by it as `pending`.
 */
function addTokenDetails(
  patch: TokenPatch,
  options: CreateKeyPairOptions,
  existing: TokenRecord | null,
): void {
  if (options.customerId !== undefined) patch.customerId = options.customerId;
  if (options.siteId !== undefined) patch.siteId = options.siteId;
  if (options.name !== undefined) patch.name = options.name;
  if (options.baseUrl !== undefined) patch.baseUrl = options.baseUrl;
  if (existing === null) patch.healthStatus = 'pending';
}

/**
 * Generates a key pair, stores it as the token's *pending* pair (creating the token if needed)
 * and returns the certificate PEM to upload to ABM. The current pair, if any, keeps working
 * until a server token decrypted by the new pair is uploaded (renewal).
 * @internal
 */
export async function createKeyPair(
  ctx: ManagerContext,
  tokenId: string,
  options: CreateKeyPairOptions,
): Promise<string> {
  checkTokenId(tokenId);
  if (options.baseUrl !== undefined) {
    try {
      new URL(options.baseUrl);
    } catch (cause) {
      throw new InvalidArgumentError('createKeyPair: baseUrl must be an absolute URL.', { cause });
    }
  }
  const existing = await ctx.storage.getToken(tokenId);
  const patch: TokenPatch = {};
  let certificatePem: string;
  if (existing?.pendingKeyPair !== undefined && options.newKeyPair !== true) {
    // Idempotent (page reload, double click): the certificate the admin may already have
    // uploaded to ABM stays the one whose token will decrypt.
    certificatePem = existing.pendingKeyPair.certificatePem;
  } else {
    const pair = await generateKeyPair({ commonName: 'abmkit' });
    certificatePem = pair.certificatePem;
    patch.pendingKeyPair = {
      certificatePem: pair.certificatePem,
      privateKeyPem: pair.privateKeyPem,
      createdAt: ctx.now().toISOString(),
    };
    // The replaced pending pair still decrypts a token ABM issued for its certificate.
    if (existing?.pendingKeyPair !== undefined) {
      patch.previousPendingKeyPair = existing.pendingKeyPair;
    }
  }
  addTokenDetails(patch, options, existing);
  if (Object.keys(patch).length > 0) await ctx.storage.saveToken(tokenId, patch);
  if (patch.pendingKeyPair !== undefined) {
    ctx.logger.info({ event: 'token.key-pair-created', tokenId }, 'abmkit: key pair created');
  }
  return certificatePem;
}

/**
 * Decrypts a server token file with the pending key pair (then the current one), refuses a
 * token of another MDM server unless forced, stores the credentials and promotes the pending
 * pair only when it was the one that decrypted the file.
 * @internal
 */
export async function uploadServerToken(
  ctx: ManagerContext,
  tokenId: string,
  file: string | Uint8Array,
  options: UploadServerTokenOptions,
): Promise<TokenRecord> {
  const token = await requireToken(ctx, tokenId);
  const candidates: { pair: KeyPairRecord; pending: boolean }[] = [];
  if (token.pendingKeyPair !== undefined)
    candidates.push({ pair: token.pendingKeyPair, pending: true });
  if (token.previousPendingKeyPair !== undefined)
    candidates.push({ pair: token.previousPendingKeyPair, pending: true });
  if (token.currentKeyPair !== undefined)
    candidates.push({ pair: token.currentKeyPair, pending: false });
  if (candidates.length === 0) {
    throw new InvalidArgumentError(
      `Token "${tokenId}" has no key pair: call createKeyPair() and upload its certificate to ABM first.`,
    );
  }
  let decrypted: { token: ServerToken; pending: boolean; pair: KeyPairRecord } | undefined;
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      decrypted = {
        token: await decryptServerToken(file, candidate.pair.privateKeyPem),
        pending: candidate.pending,
        pair: candidate.pair,
      };
      break;
    } catch (error) {
      lastError = error;
      // A malformed file fails the same way with every key: do not try the next one.
      if (!isAbmError(error, 'TOKEN_DECRYPT_FAILED')) throw error;
    }
  }
  if (decrypted === undefined) {
    throw new TokenDecryptError(
      `No key pair of token "${tokenId}" decrypts this server token file. It was issued for another certificate: download the token ABM issued after the certificate from createKeyPair() (get it again with pendingCertificate()) was uploaded to the MDM server, or upload that certificate in ABM and download a new token.`,
      { cause: lastError },
    );
  }
  const expiryMs = decrypted.token.accessTokenExpiry.getTime();
  if (expiryMs <= ctx.now().getTime() && options.force !== true) {
    throw new InvalidArgumentError(
      `This server token already expired on ${new Date(expiryMs).toISOString()}: download a new token for this MDM server in ABM and upload it (or pass { force: true } to store it anyway).`,
    );
  }
  const fields = serverTokenToJSON(decrypted.token);
  const previous = token.credentials?.consumerKey;
  const switched = previous !== undefined && previous !== fields.consumerKey;
  if (switched && options.force !== true) {
    throw new TokenMismatchError(
      `This server token belongs to another MDM server in ABM (consumer key ${fields.consumerKey}, stored: ${previous}). Upload the token of the same MDM server, or pass { force: true } to switch servers (devices are then re-fetched).`,
    );
  }
  const patch: TokenPatch = {
    credentials: {
      consumerKey: fields.consumerKey,
      consumerSecret: fields.consumerSecret,
      accessToken: fields.accessToken,
      accessSecret: fields.accessSecret,
      accessTokenExpiry: new Date(fields.accessTokenExpiry).toISOString(),
    },
    credentialsId: randomUUID(),
    account: null,
    syncHealth: null,
  };
  if (decrypted.pending) {
    patch.currentKeyPair = decrypted.pair;
    patch.pendingKeyPair = null;
    patch.previousPendingKeyPair = null;
  }
  let saved = await ctx.storage.saveToken(tokenId, patch);
  await ctx.storage.deleteSession(tokenId);
  if (switched) await ctx.storage.resetCursor(tokenId);
  saved = await recordHealth(ctx, saved, { uploaded: true });
  // The token's first run starts from this record without reading it (unless it changes).
  ctx.known.remember(tokenId, saved);
  ctx.logger.info(
    { event: 'token.uploaded', tokenId, consumerKey: fields.consumerKey, switched },
    'abmkit: server token uploaded',
  );
  return saved;
}

/**
 * Stores an existing key pair (migrating from another MDM) as the token's pending pair, creating
 * the token if needed; `uploadServerToken` with the server token file issued for its certificate
 * then decrypts and promotes it. The private key is checked before anything is stored.
 * @internal
 */
export async function importKeyPair(
  ctx: ManagerContext,
  tokenId: string,
  pair: { privateKeyPem: string | Uint8Array; certificatePem?: string | undefined },
  options: CreateKeyPairOptions,
): Promise<void> {
  checkTokenId(tokenId);
  if (pair === null || typeof pair !== 'object') {
    throw new InvalidArgumentError(
      'importKeyPair needs { privateKeyPem, certificatePem? }: the key pair the other MDM used for this MDM server.',
    );
  }
  const raw = pair.privateKeyPem;
  const privateKeyPem =
    raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : (raw as unknown);
  loadPrivateKey(privateKeyPem); // PrivateKeyError with what to pass when it is not an RSA key
  const existing = await ctx.storage.getToken(tokenId);
  const patch: TokenPatch = {
    pendingKeyPair: {
      certificatePem: typeof pair.certificatePem === 'string' ? pair.certificatePem : '',
      privateKeyPem: privateKeyPem as string,
      createdAt: ctx.now().toISOString(),
    },
  };
  if (existing?.pendingKeyPair !== undefined)
    patch.previousPendingKeyPair = existing.pendingKeyPair;
  addTokenDetails(patch, options, existing);
  await ctx.storage.saveToken(tokenId, patch);
  ctx.logger.info({ event: 'token.key-pair-imported', tokenId }, 'abmkit: key pair imported');
}
