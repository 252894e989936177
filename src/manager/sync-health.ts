import type { TokenProblemRecord, TokenRecord, TokenSyncHealthRecord } from '../storage/types.js';
import type { RunNotes } from './run-state.js';
import type { SyncReport } from './types.js';

/** Problems kept per token (the newest first). */
const MAX_PROBLEMS = 10;

const WEEK_MS = 7 * 86_400_000;

/**
 * What an admin should do about a failing sync, from the error that ended the last run.
 * @internal
 */
export function remedyFor(error: { code: string; message: string } | null | undefined): string {
  const code = error?.code ?? '';
  const message = error?.message ?? '';
  if (/timestamp_refused/.test(message)) {
    return "Apple refused the OAuth timestamp (timestamp_refused): this server's clock is off. Check the server clock (enable NTP time sync) on every replica, then call syncNow().";
  }
  switch (code) {
    case 'CONNECTION_FAILED':
    case 'TIMEOUT':
    case 'NETWORK_ERROR':
      return 'Sync fails because Apple cannot be reached (network issue): allow outbound HTTPS to mdmenrollment.apple.com:443 from every replica (firewall rules, proxy, TLS interception), then retry with syncNow().';
    case 'SERVER_ERROR':
    case 'RATE_LIMITED':
      return "Apple's ADE service is failing or rate-limiting: nothing to change on your side; the schedule retries, or call syncNow() later.";
    case 'CONFIGURATION_INVALID':
      return 'Apple refused the request configuration (e.g. USER_AGENT_INVALID): set a distinctive userAgent such as "AcmeMDM/4.2".';
    case 'AUTH_FAILED':
      return 'Apple refused the OAuth login: check that the uploaded server token is the latest one for this MDM server; if it keeps failing, download a new token in ABM and upload it with uploadServerToken().';
    case 'STORAGE_ERROR':
      return 'The storage failed during sync: check the database (connection, disk, permissions); the next run resumes from the last committed page.';
    case 'SECRET_DECRYPT_FAILED':
      return "The token's secrets cannot be decrypted: pass the storage encryption key they were written with (see health().unreadable).";
    default:
      return `Sync fails with ${code || 'an error'}: see lastError.message, fix the cause, then call syncNow().`;
  }
}

/**
 * The token's sync health after a run: consecutive failed runs and since when (cleared by a
 * completed run), and the problems the run found that an admin must fix (profiles Apple does
 * not know, records that cannot be stored). Aborted and skipped runs leave it unchanged.
 * @internal
 */
export function nextSyncHealth(
  token: TokenRecord,
  report: SyncReport,
  notes: RunNotes,
  at: string,
): TokenSyncHealthRecord | undefined {
  const prev = token.syncHealth;
  if (report.status === 'failed') {
    return {
      failingSince: prev?.failingSince ?? at,
      failedRuns: (prev?.failedRuns ?? 0) + 1,
      problems: mergeProblems(prev?.problems ?? [], notes, at, false),
      ...(prev?.devices === undefined ? {} : { devices: prev.devices }),
    };
  }
  if (report.status !== 'completed') {
    if (notes.missingProfiles.size === 0 && notes.skipped.length === 0) return undefined;
    return {
      failingSince: prev?.failingSince ?? null,
      failedRuns: prev?.failedRuns ?? 0,
      problems: mergeProblems(prev?.problems ?? [], notes, at, false),
    };
  }
  return {
    failingSince: null,
    failedRuns: 0,
    problems: mergeProblems(prev?.problems ?? [], notes, at, true),
  };
}

function mergeProblems(
  previous: readonly TokenProblemRecord[],
  notes: RunNotes,
  at: string,
  completed: boolean,
): TokenProblemRecord[] {
  const found: TokenProblemRecord[] = [];
  for (const [profileUuid, message] of notes.missingProfiles) {
    const since = previous.find((p) => p.code === 'PROFILE_NOT_FOUND' && p.subject === profileUuid);
    found.push({
      code: 'PROFILE_NOT_FOUND',
      subject: profileUuid,
      message,
      since: since?.since ?? at,
      at,
    });
  }
  if (notes.unresolved !== undefined) {
    const u = notes.unresolved;
    const since = previous.find((p) => p.code === 'NO_PROFILE');
    found.push({
      code: 'NO_PROFILE',
      subject: u.serialNumber,
      message: `${u.count >= 100 ? '100 or more' : u.count} device(s) stay Unassigned because the policy gives them no profile (e.g. ${u.serialNumber}: ${u.reason}). Assign a default profile for the device's OS (setPolicy with osDefaults), a group or a device entry; listDevices(tokenId, { unresolved: true }) lists them.`,
      since: since?.since ?? at,
      at,
    });
  }
  if (notes.skipped.length > 0) {
    const first = notes.skipped[0];
    const since = previous.find((p) => p.code === 'INVALID_RECORD');
    // One INVALID_RECORD entry: the newest replaces the earlier one.
    found.push({
      code: 'INVALID_RECORD',
      subject: first?.serialNumber ?? '',
      message: `${notes.skipped.length} device record(s) from Apple could not be stored and were skipped (first: serial "${first?.serialNumber}": ${first?.reason}); the other devices were stored. Check these devices in ABM.`,
      since: since?.since ?? at,
      at,
    });
  }
  // A completed run re-plans what it saw: problems it did not see again stay until they are
  // older than the run that would have seen them (profiles are only tried when assigning).
  // Skipped records are not delivered again by a later sync: they stay reported for a week.
  const recent = (p: TokenProblemRecord) => Date.parse(at) - Date.parse(p.at) < WEEK_MS;
  const kept = completed
    ? previous.filter(
        (p) =>
          (p.code === 'PROFILE_NOT_FOUND' || (p.code === 'INVALID_RECORD' && recent(p))) &&
          !found.some((f) => f.code === p.code && f.subject === p.subject),
      )
    : previous.filter((p) => !found.some((f) => f.code === p.code && f.subject === p.subject));
  return [...found, ...kept].slice(0, MAX_PROBLEMS);
}
