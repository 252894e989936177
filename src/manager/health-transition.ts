import type { TokenPatch, TokenRecord } from '../storage/types.js';
import type { ManagerContext } from './context.js';
import type { AbmManagerEventName } from './events.js';
import { healthReport, STICKY_STATES } from './health.js';
import type { TokenWrite } from './token-writer.js';
import type { ManagerTokenStatus } from './types.js';

/** What happened to the token. @internal */
export type HealthInput =
  /** A call to Apple succeeded: clears a state Apple reported earlier. */
  | { success: true }
  /** Apple reported a state (terms not signed, rejected, expired). */
  | { reported: ManagerTokenStatus; error: { code: string; message: string } }
  /** The expiry passed (local clock). */
  | { expired: true }
  /** A new server token was uploaded: forget every earlier state. */
  | { uploaded: true }
  /** Nothing happened: re-evaluate the expiry (renew-soon) every cycle, whatever the sync does. */
  | { evaluate: true };

const EVENT: Partial<Record<ManagerTokenStatus, AbmManagerEventName>> = {
  'renew-soon': 'token.renew-soon',
  expired: 'token.expired',
  'terms-not-signed': 'token.terms-not-signed',
  rejected: 'token.rejected',
};

const BAD: ReadonlySet<string> = new Set(['expired', 'terms-not-signed', 'rejected']);

/**
 * Stores the token's new health and emits the matching `token.*` event once per transition
 * (`healthNotified` remembers the last state announced, so reminders do not repeat every cycle
 * and survive restarts). Returns the updated record.
 * @internal
 */
export async function recordHealth(
  ctx: ManagerContext,
  token: TokenRecord,
  input: HealthInput,
  write?: TokenWrite,
): Promise<TokenRecord> {
  let stored: string | undefined = token.healthStatus;
  if ('reported' in input) stored = input.reported;
  else if ('expired' in input) stored = 'expired';
  else if ('success' in input && stored !== undefined && STICKY_STATES.has(stored)) {
    stored = undefined;
  }
  if ('uploaded' in input) stored = undefined;
  const view = healthReport(
    { ...token, healthStatus: stored },
    ctx.now(),
    ctx.config.renewWithinDays,
  );
  const status = view.status;
  const patch: TokenPatch = {};
  if (token.healthStatus !== status) {
    patch.healthStatus = status;
    patch.healthChangedAt = ctx.now().toISOString();
  }
  const notified = 'uploaded' in input ? undefined : token.healthNotified;
  let event: AbmManagerEventName | undefined;
  if (notified !== status) {
    event = EVENT[status];
    if (event === undefined && status === 'valid' && notified !== undefined && BAD.has(notified)) {
      event = 'token.valid';
    }
    patch.healthNotified = status;
  }
  if ('uploaded' in input) patch.lastError = null;
  if (Object.keys(patch).length === 0) return token;
  const written =
    write === undefined ? await ctx.storage.saveToken(token.tokenId, patch) : await write(patch);
  // Dropped: the token was renewed or deleted meanwhile; its new state is not this run's to set.
  if (written === null) return token;
  const updated = written;
  if (event !== undefined) {
    const health = healthReport(updated, ctx.now(), ctx.config.renewWithinDays);
    ctx.events.emit(event, { tokenId: token.tokenId, health });
    ctx.logger[status === 'valid' ? 'info' : 'warn'](
      { event, tokenId: token.tokenId, status, daysLeft: health.daysLeft },
      `abmkit: token ${status}`,
    );
  }
  return updated;
}
