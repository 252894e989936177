import type { TokenHealthReport } from '../manager/types.js';

/** A health banner of a token. @internal */
export interface Banner {
  level: 'info' | 'warning' | 'error';
  text: string;
}

/** The banners the console shows for a token: renew in N days, expired, terms, sync failing. @internal */
export function banners(h: TokenHealthReport): Banner[] {
  const out: Banner[] = [];
  if (h.status === 'renew-soon') {
    out.push({ level: 'warning', text: `Renew in ${h.daysLeft} days: ${h.advice}` });
  } else if (h.status === 'expired') {
    out.push({ level: 'error', text: `Expired: ${h.advice}` });
  } else if (h.status === 'terms-not-signed') {
    out.push({ level: 'error', text: `Terms not signed: ${h.advice}` });
  } else if (h.status === 'rejected') {
    out.push({ level: 'error', text: `Rejected: ${h.advice}` });
  } else if (h.status === 'pending') {
    out.push({ level: 'info', text: 'Waiting for the server token upload.' });
  }
  if (h.lastError !== null) {
    out.push({ level: 'error', text: `Sync failing: ${h.lastError.code}: ${h.lastError.message}` });
  }
  return out;
}

/** A token's health without secrets, as the admin API answers it. @internal */
export function tokenView(h: TokenHealthReport) {
  return {
    tokenId: h.tokenId,
    name: h.name,
    customerId: h.customerId,
    siteId: h.siteId,
    status: h.status,
    advice: h.advice,
    expiresAt: h.expiresAt ?? null,
    daysLeft: h.daysLeft,
    pendingKeyPair: h.pendingKeyPair,
    lastSyncAt: h.lastSyncAt,
    lastSuccessfulSyncAt: h.lastSuccessfulSyncAt,
    lastError:
      h.lastError === null
        ? null
        : { code: h.lastError.code, message: h.lastError.message, at: h.lastError.at },
    serverName: h.account?.serverName ?? null,
    orgName: h.account?.orgName ?? null,
    banners: banners(h),
  };
}
