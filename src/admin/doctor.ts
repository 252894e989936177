import { isAbmError } from '../errors/guards.js';
import type { AbmManager } from '../manager/abm-manager.js';
import type { TokenHealthReport } from '../manager/types.js';
import { compilePolicy } from '../profiles/compile-policy.js';
import { DEVICE_OS_LABELS, type DeviceOs, deviceOs } from '../profiles/device-os.js';
import type { ProfilePolicy } from '../profiles/policy-types.js';
import { resolveProfile } from '../profiles/resolve-profile.js';
import type { DeviceRecord } from '../storage/types.js';

/** How bad a finding is: `ok` (nothing to do), `warning` (act soon), `error` (broken now). */
export type DoctorSeverity = 'ok' | 'warning' | 'error';

/**
 * Which row of the product guide's troubleshooting table a finding belongs to: `token`
 * (devices not appearing: token expired), `sync` (sync fails: network), `unassigned` (device not
 * enrolling / stuck in Unassigned: no default profile for its OS), `profile-rules` (wrong profile
 * applied: which rule picked it), `business-api` (the API account that assigns devices to the
 token's server, shown once the customer has one).
 */
export type DoctorCheck = 'token' | 'sync' | 'unassigned' | 'profile-rules' | 'business-api';

/** One finding of {@link runDoctor}: the issue, its likely cause and the remedy. No secrets. */
export interface DoctorFinding {
  /** The token it is about, or `null` for the whole installation. */
  tokenId: string | null;
  /** The troubleshooting-table row. */
  check: DoctorCheck;
  /** How bad it is. */
  severity: DoctorSeverity;
  /** What the operator sees, e.g. `Token expired`. */
  issue: string;
  /** The likely cause, with what was tried. */
  cause: string;
  /** What to do, with the command to run. */
  remedy: string;
  /** Supporting lines (e.g. reasons and counts of Unassigned devices). */
  details: string[];
}

/** The answer of {@link runDoctor}. */
export interface DoctorReport {
  /** Whether any finding is a warning or an error ("needs attention"). */
  attention: boolean;
  /** Every finding, token by token, in table order. */
  findings: DoctorFinding[];
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** Only this token (default: every token). */
  tokenId?: string | undefined;
  /** Also call Apple (`GET /account`) per token to check the network path. @default true */
  probe?: boolean | undefined;
  /** The ADE base URL the manager uses, shown in network findings ("what was tried"). */
  baseUrl?: string | undefined;
  /** Explain which rule picks the profile of this serial. */
  serial?: string | undefined;
  /** Devices inspected per token for the Unassigned and rule checks. @default 20_000 */
  maxDevices?: number | undefined;
  /** Deadline of the network probe. @default 15_000 */
  probeTimeoutMs?: number | undefined;
}

const NETWORK_CODES = new Set(['CONNECTION_FAILED', 'TIMEOUT', 'SERVER_ERROR', 'RESPONSE_INVALID']);

/**
 * Walks the product guide's troubleshooting table for one token or all of them and returns each
 * finding with its remedy: token expired → renew; sync fails → network, with what was tried;
 * device not enrolling or stuck in Unassigned → no default profile for its OS; wrong profile →
 * which rule picked it. Read-only apart from the optional network probe.
 */
export async function runDoctor(
  manager: AbmManager,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const ids =
    options.tokenId !== undefined
      ? [options.tokenId]
      : (await manager.listTokens()).map((t) => t.tokenId);
  const findings: DoctorFinding[] = [];
  if (ids.length === 0) {
    findings.push({
      tokenId: null,
      check: 'token',
      severity: 'warning',
      issue: 'No ABM token yet',
      cause: 'No token was added, so no device can appear.',
      remedy:
        'Add one: abmkit keygen <token-id> --customer <c> --site <s> --out cert.pem, upload cert.pem in ABM, then abmkit token upload <token-id> <file.p7m>.',
      details: [],
    });
  }
  for (const id of ids) {
    const health = await manager.health(id);
    const token = tokenFinding(health);
    findings.push(token);
    // An expired, rejected or terms-blocked token stops every sync: the token finding says it.
    if (token.severity !== 'error') findings.push(await syncFinding(manager, health, options));
    const devices = await collectDevices(manager, id, options.maxDevices ?? 20_000);
    const policy = (await manager.getPolicy(id))?.policy ?? null;
    findings.push(unassignedFinding(id, devices, policy));
    findings.push(rulesFinding(id, devices, policy, options.serial));
    const api = await businessApiFinding(manager, health);
    if (api !== undefined) findings.push(api);
  }
  return { attention: findings.some((f) => f.severity !== 'ok'), findings };
}

/** The Business API account of the token (its link's, else its customer's), when there is one. */
async function businessApiFinding(
  manager: AbmManager,
  h: TokenHealthReport,
): Promise<DoctorFinding | undefined> {
  let accounts: Awaited<ReturnType<AbmManager['listApiAccounts']>>;
  try {
    accounts = await manager.listApiAccounts(
      h.customerId === null ? {} : { customerId: h.customerId },
    );
  } catch {
    return undefined; // a storage without API accounts: nothing to report
  }
  const link = h.serverLink ?? null;
  const account =
    (link === null ? undefined : accounts.find((a) => a.accountId === link.accountId)) ??
    accounts.find((a) => a.customerId === h.customerId && a.siteId === h.siteId) ??
    accounts.find((a) => a.customerId === h.customerId);
  if (account === undefined) return undefined;
  const details = [
    `API account ${account.accountId} (${account.clientId}): ${account.status}`,
    link === null
      ? 'MDM server not linked yet (abmkit api-account link, or the first abmkit assign, links it)'
      : `MDM server ${link.serverId} (${link.serverName ?? 'no name'}), matched by ${link.matchedBy}`,
  ];
  if (account.lastError !== null)
    details.push(`last error ${account.lastError.code} at ${account.lastError.at}`);
  const broken = account.status === 'key-revoked' || account.status === 'scope-wrong';
  return {
    tokenId: h.tokenId,
    check: 'business-api',
    severity: broken ? 'error' : account.status === 'error' ? 'warning' : 'ok',
    issue: broken
      ? 'Business API account refused'
      : account.status === 'error'
        ? 'Business API call failed'
        : 'Business API account',
    cause: account.advice,
    remedy: broken
      ? `Store a new key: abmkit api-account add ${account.accountId} --client-id … --key-id … --key-file key.pem --customer ${account.customerId ?? '<customer-id>'}`
      : account.status === 'error'
        ? `See the last error: abmkit api-account show ${account.accountId}`
        : 'Nothing to do.',
    details,
  };
}

function tokenFinding(h: TokenHealthReport): DoctorFinding {
  const id = h.tokenId;
  const renew = `Regenerate and re-upload the ABM token: abmkit keygen ${id} --out cert.pem, upload cert.pem to the MDM server in ABM (Preferences > MDM Server Assignment), download the new token, then abmkit token upload ${id} <file.p7m>.`;
  const base = { tokenId: id, check: 'token' as const, details: [] as string[] };
  const days = h.daysLeft === null ? '' : ` (${h.daysLeft} days left)`;
  switch (h.status) {
    case 'valid':
      return {
        ...base,
        severity: 'ok',
        issue: 'Token valid',
        cause: `Expires ${h.expiresAt?.slice(0, 10)}${days}.`,
        remedy: 'Nothing to do.',
      };
    case 'renew-soon':
      return {
        ...base,
        severity: 'warning',
        issue: `Token expires in ${h.daysLeft} days`,
        cause: `The server token expires ${h.expiresAt?.slice(0, 10)}; after that devices stop appearing.`,
        remedy: renew,
      };
    case 'expired':
      return {
        ...base,
        severity: 'error',
        issue: 'Token expired',
        cause: `Devices not appearing: the server token expired ${h.expiresAt?.slice(0, 10)}.`,
        remedy: renew,
      };
    case 'pending':
      return {
        ...base,
        severity: 'warning',
        issue: 'No server token uploaded',
        cause: 'A key pair exists but no server token was uploaded, so nothing syncs.',
        remedy: `Upload the certificate to ABM, download the server token, then abmkit token upload ${id} <file.p7m>.`,
      };
    case 'terms-not-signed':
      return {
        ...base,
        severity: 'error',
        issue: 'Terms not accepted',
        cause: 'Apple refuses calls until the new terms and conditions are accepted in ABM.',
        remedy: `Sign in to Apple Business Manager as the administrator, accept the terms, then abmkit sync ${id}.`,
      };
    default:
      return {
        ...base,
        severity: 'error',
        issue: 'Token rejected',
        cause: `Apple rejected the server token: ${h.advice}`,
        remedy: renew,
      };
  }
}

async function syncFinding(
  manager: AbmManager,
  h: TokenHealthReport,
  options: DoctorOptions,
): Promise<DoctorFinding> {
  const id = h.tokenId;
  const base = { tokenId: id, check: 'sync' as const };
  const where = options.baseUrl ?? 'https://mdmenrollment.apple.com';
  if (h.status === 'pending') {
    return {
      ...base,
      severity: 'ok',
      issue: 'Sync not started',
      cause: 'No server token yet.',
      remedy: 'Upload the server token first.',
      details: [],
    };
  }
  const details: string[] = [];
  if (h.lastError !== null) {
    details.push(`last error ${h.lastError.code} at ${h.lastError.at}: ${h.lastError.message}`);
  }
  if (options.probe !== false && h.status !== 'expired') {
    const tried = `${where}/session then ${where}/account`;
    try {
      const client = await manager.client(id);
      await client.getAccount({ deadlineMs: options.probeTimeoutMs ?? 15_000 });
      details.push(`tried ${tried}: reachable`);
    } catch (error) {
      const code = isAbmError(error) ? error.code : 'UNKNOWN';
      const message = error instanceof Error ? error.message : String(error);
      const network = NETWORK_CODES.has(code);
      return {
        ...base,
        severity: 'error',
        issue: 'Sync fails',
        cause: network
          ? `Network issue: tried ${tried} and got ${code}: ${message}`
          : `Apple answered ${code} when tried ${tried}: ${message}`,
        remedy: network
          ? `Check firewall rules (outbound HTTPS to ${new URL(where).host}) and proxy settings (--base-url / ABMKIT_BASE_URL), then retry: abmkit sync ${id}.`
          : `Fix what the error says, then retry: abmkit sync ${id}.`,
        details,
      };
    }
  }
  if (h.lastError !== null) {
    const network = NETWORK_CODES.has(h.lastError.code);
    return {
      ...base,
      severity: 'error',
      issue: 'Sync fails',
      cause: network
        ? `Network issue: the last run against ${where} failed with ${h.lastError.code}.`
        : `The last run failed with ${h.lastError.code}: ${h.lastError.message}`,
      remedy: network
        ? `Check firewall rules and retry: abmkit sync ${id}.`
        : `Fix what the error says, then retry: abmkit sync ${id}.`,
      details,
    };
  }
  if (h.lastSuccessfulSyncAt === null) {
    return {
      ...base,
      severity: 'warning',
      issue: 'Never synced',
      cause: 'The token was uploaded but no sync run completed yet, so no device is known.',
      remedy: `Run abmkit sync ${id} (or Sync Now in the console).`,
      details,
    };
  }
  return {
    ...base,
    severity: 'ok',
    issue: 'Sync works',
    cause: `Last successful sync ${h.lastSuccessfulSyncAt}.`,
    remedy: 'Nothing to do.',
    details,
  };
}

async function collectDevices(
  manager: AbmManager,
  tokenId: string,
  max: number,
): Promise<DeviceRecord[]> {
  const out: DeviceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await manager.listDevices(tokenId, {
      status: ['unassigned', 'assigned', 'pushed', 'profile-served', 'enrolled'],
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && out.length < max);
  return out;
}

function unassignedFinding(
  tokenId: string,
  devices: readonly DeviceRecord[],
  policy: ProfilePolicy | null,
): DoctorFinding {
  const base = { tokenId, check: 'unassigned' as const };
  const stuck = devices.filter((d) => d.status === 'unassigned' && d.unassignedReason !== null);
  if (stuck.length === 0) {
    return {
      ...base,
      severity: 'ok',
      issue: 'No device stuck in Unassigned',
      cause: 'Every device has a profile from the policy.',
      remedy: 'Nothing to do.',
      details: [],
    };
  }
  const byOs = new Map<string, number>();
  const byReason = new Map<string, number>();
  const missing = new Set<DeviceOs>();
  for (const d of stuck) {
    const os = deviceOs(d.device);
    const label = os === undefined ? 'unknown OS' : DEVICE_OS_LABELS[os];
    byOs.set(label, (byOs.get(label) ?? 0) + 1);
    byReason.set(d.unassignedReason ?? '', (byReason.get(d.unassignedReason ?? '') ?? 0) + 1);
    if (os !== undefined && policy?.osDefaults?.[os] === undefined) missing.add(os);
  }
  const osList = [...missing].map((os) => DEVICE_OS_LABELS[os]).join(', ');
  return {
    ...base,
    severity: 'warning',
    issue: `${stuck.length} device${stuck.length === 1 ? '' : 's'} stuck in Unassigned`,
    cause:
      missing.size > 0
        ? `Device not enrolling: no default ADE profile for ${osList}.`
        : 'No rule of the policy gives these devices a profile.',
    remedy:
      missing.size > 0
        ? `Create and assign a default ADE profile for ${osList}: abmkit profile define ${tokenId} --file profile.json --default-for ${[...missing].join(',')}`
        : `Add a device, group or OS-default rule: abmkit policy set ${tokenId} --file policy.json`,
    details: [
      ...[...byOs].map(([os, n]) => `${os}: ${n}`),
      ...[...byReason].map(([reason, n]) => `${n} × ${reason}`),
    ],
  };
}

function rulesFinding(
  tokenId: string,
  devices: readonly DeviceRecord[],
  policy: ProfilePolicy | null,
  serial: string | undefined,
): DoctorFinding {
  const base = { tokenId, check: 'profile-rules' as const };
  if (policy === null) {
    return {
      ...base,
      severity: 'warning',
      issue: 'No profile policy',
      cause: 'Without a policy no device gets a profile.',
      remedy: `Set per-OS defaults: abmkit policy set ${tokenId} --file policy.json`,
      details: [],
    };
  }
  const compiled = compilePolicy(policy);
  const counts = { device: 0, group: 0, 'os-default': 0, unassigned: 0 };
  const details: string[] = [];
  let differs = 0;
  for (const d of devices) {
    const r = resolveProfile(d.device, compiled);
    counts[r.source] += 1;
    const current = d.assignedProfileUuid;
    if (current !== null && r.profileUuid !== null && current !== r.profileUuid) differs += 1;
    if (serial !== undefined && d.serialNumber === serial.trim().toUpperCase()) {
      details.push(
        r.source === 'unassigned'
          ? `${d.serialNumber}: no rule matches (${r.reason})`
          : `${d.serialNumber}: ${r.profileUuid} from the ${r.source} rule${r.groupId === undefined ? '' : ` (group "${r.groupId}")`}; the device carries ${current ?? 'no profile yet'}`,
      );
    }
  }
  if (serial !== undefined && details.length === 0) {
    details.push(`${serial}: not a device of this token`);
  }
  details.unshift(
    `rules picked: device ${counts.device}, group ${counts.group}, OS default ${counts['os-default']}, none ${counts.unassigned}`,
  );
  if (differs > 0) {
    return {
      ...base,
      severity: 'warning',
      issue: `Wrong profile applied on ${differs} device${differs === 1 ? '' : 's'}`,
      cause:
        'They carry a profile other than the one the policy picks now (the policy changed since).',
      remedy: `Check the rule that picks them (abmkit doctor ${tokenId} --serial <serial>), update the default profile for the correct OS if needed, then abmkit sync ${tokenId} re-assigns them.`,
      details,
    };
  }
  return {
    ...base,
    severity: 'ok',
    issue: 'Profiles match the policy',
    cause: 'Each assigned device carries the profile its rule picks.',
    remedy: 'Nothing to do.',
    details,
  };
}
