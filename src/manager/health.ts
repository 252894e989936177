import { tokenHealth } from '../crypto/token-health.js';
import { unreadableSecrets } from '../storage/storage-base.js';
import type { TokenRecord } from '../storage/types.js';
import { remedyFor } from './sync-health.js';
import type {
  ManagerTokenStatus,
  TokenAccountInfo,
  TokenHealthReport,
  TokenSyncStatus,
  UnreadableSecrets,
} from './types.js';

/** States Apple reported that stay until a call succeeds again or a new token is uploaded. @internal */
export const STICKY_STATES: ReadonlySet<string> = new Set([
  'terms-not-signed',
  'rejected',
  'expired',
]);

/** States in which the manager neither syncs nor assigns. @internal */
export function blocksSync(status: ManagerTokenStatus): boolean {
  return status === 'expired' || status === 'rejected' || status === 'terms-not-signed';
}

const ADVICE: Record<ManagerTokenStatus, string> = {
  unreadable:
    "The token's secrets cannot be decrypted with the storage's encryption key: pass the key they were written with (see unreadable.keyId) to the storage, as a 32-byte Buffer.",
  pending:
    'Upload the key pair certificate to ABM (MDM Server settings), download the server token and pass it to uploadServerToken().',
  valid: 'Nothing to do.',
  'renew-soon':
    'The server token expires soon: download a new token for this MDM server in ABM and upload it with uploadServerToken().',
  expired:
    'The server token expired: sync and profile assignment stopped (enrolled devices are not affected). Download a new token in ABM and upload it with uploadServerToken().',
  'terms-not-signed':
    'Apple has new terms and conditions: an ABM administrator must sign in to business.apple.com and accept them. Sync resumes on the next run.',
  rejected:
    'Apple rejected the server token (revoked, or replaced by a newer download): download a new token for this MDM server in ABM and upload it with uploadServerToken().',
};

/** The health status of a stored token at `now`. @internal */
export function tokenStatus(
  token: TokenRecord,
  now: Date,
  renewWithinDays: number,
): ManagerTokenStatus {
  const credentials = token.credentials;
  if (credentials === undefined) return 'pending';
  const expiry = tokenHealth(
    { accessTokenExpiry: new Date(credentials.accessTokenExpiry) },
    { now, renewWithinDays },
  );
  if (expiry.status === 'expired') return 'expired';
  const stored = token.healthStatus;
  if (stored !== undefined && STICKY_STATES.has(stored)) return stored as ManagerTokenStatus;
  return expiry.status;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The account details worth showing, from Apple's `GET /account` JSON. @internal */
export function accountInfo(
  raw: Readonly<Record<string, unknown>> | undefined,
): TokenAccountInfo | null {
  if (raw === undefined) return null;
  const fields = raw as { server_name?: unknown; org_name?: unknown };
  return {
    serverName: stringOrNull(fields.server_name),
    orgName: stringOrNull(fields.org_name),
    raw,
  };
}

/** The public health report of a stored token. @internal */
export function healthReport(
  token: TokenRecord,
  now: Date,
  renewWithinDays: number,
): TokenHealthReport {
  const status = tokenStatus(token, now, renewWithinDays);
  const credentials = token.credentials;
  const expiry =
    credentials === undefined
      ? null
      : tokenHealth(
          { accessTokenExpiry: new Date(credentials.accessTokenExpiry) },
          { now, renewWithinDays },
        );
  const sync = syncStatus(token);
  const problems = token.syncHealth?.problems ?? [];
  const unreadable = unreadableOf(token);
  const finalStatus: ManagerTokenStatus = unreadable === null ? status : 'unreadable';
  return {
    tokenId: token.tokenId,
    status: finalStatus,
    advice: adviceFor(finalStatus, sync, problems),
    expiresAt: expiry?.expiresAt.toISOString() ?? null,
    daysLeft: expiry?.daysLeft ?? null,
    consumerKey: credentials?.consumerKey ?? null,
    pendingKeyPair: token.pendingKeyPair !== undefined,
    lastSyncAt: token.lastSyncAt ?? null,
    lastSuccessfulSyncAt: token.lastSuccessfulSyncAt ?? null,
    lastError: token.lastError ?? null,
    account: accountInfo(token.account),
    customerId: token.customerId ?? null,
    siteId: token.siteId ?? null,
    name: token.name ?? null,
    sync,
    problems,
    unreadable,
    devices: token.syncHealth?.devices ?? null,
    policy: null,
  };
}

/** The advice for a status, preceded by what to do about failing syncs and open problems. */
function adviceFor(
  status: ManagerTokenStatus,
  sync: TokenSyncStatus,
  problems: readonly { message: string }[],
): string {
  const base = ADVICE[status];
  if (status !== 'valid' && status !== 'renew-soon') return base;
  const parts: string[] = [];
  if (sync.state === 'failing' && sync.remedy !== null) {
    parts.push(
      `Sync failing since ${sync.failingSince} (${sync.failedRuns} run(s)). ${sync.remedy}`,
    );
  }
  for (const p of problems.slice(0, 3)) parts.push(`Fix: ${p.message}`);
  if (parts.length === 0) return base;
  if (status === 'renew-soon') parts.push(base);
  return parts.join(' ');
}

/** The sync view of a stored token. @internal */
export function syncStatus(token: TokenRecord): TokenSyncStatus {
  const h = token.syncHealth;
  if (h !== undefined && h.failedRuns > 0) {
    return {
      state: 'failing',
      failingSince: h.failingSince,
      failedRuns: h.failedRuns,
      remedy: remedyFor(token.lastError),
    };
  }
  if (token.lastSuccessfulSyncAt !== undefined || h !== undefined) {
    return { state: 'ok', failingSince: null, failedRuns: 0, remedy: null };
  }
  if (token.lastSyncAt !== undefined && token.lastError !== undefined) {
    // A failure recorded before sync health existed.
    return {
      state: 'failing',
      failingSince: token.lastError.at,
      failedRuns: 1,
      remedy: remedyFor(token.lastError),
    };
  }
  return { state: 'never', failingSince: null, failedRuns: 0, remedy: null };
}

function unreadableOf(token: TokenRecord): UnreadableSecrets | null {
  const marked = (token as { [unreadableSecrets]?: UnreadableSecrets })[unreadableSecrets];
  return marked ?? null;
}

/** The health status an Apple error code puts a token in, if any. @internal */
export function statusForErrorCode(code: string): ManagerTokenStatus | undefined {
  switch (code) {
    case 'TOKEN_EXPIRED':
      return 'expired';
    case 'TERMS_NOT_SIGNED':
      return 'terms-not-signed';
    case 'TOKEN_REJECTED':
    case 'ACCESS_DENIED':
      return 'rejected';
    default:
      return undefined;
  }
}
