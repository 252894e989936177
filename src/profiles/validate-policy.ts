/**
 * Structural validation of a {@link ProfilePolicy}: every problem, each with its path.
 *
 * @internal
 * @module
 */
import type { ValidationIssue } from '../errors/index.js';
import { DEVICE_OS_KEYS } from './device-os.js';
import { describeType, formatPath } from './profile-rules.js';
import { normaliseSerial, serialProblem } from './serial.js';

const PROFILE_UUID = /^[A-Za-z0-9-]{1,64}$/;
const POLICY_KEYS = new Set(['devices', 'groups', 'osDefaults']);
const GROUP_KEYS = new Set(['id', 'profileUuid', 'serials', 'priority', 'name']);
const OS_KEYS: ReadonlySet<string> = new Set(DEVICE_OS_KEYS);

type Path = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @internal Collects issues with their paths. */
class Issues {
  readonly list: ValidationIssue[] = [];
  add(path: Path, message: string): void {
    this.list.push({ path, message: `${formatPath(path) || 'policy'} ${message}` });
  }
  uuid(path: Path, value: unknown): void {
    if (typeof value !== 'string') {
      this.add(path, `must be a profile UUID string, got ${describeType(value)}`);
    } else if (!PROFILE_UUID.test(value)) {
      this.add(path, 'must be a profile UUID (1 to 64 letters, digits or dashes)');
    }
  }
  serial(path: Path, value: unknown): string | undefined {
    if (typeof value !== 'string') {
      this.add(path, `must be a serial number string, got ${describeType(value)}`);
      return undefined;
    }
    const normalized = normaliseSerial(value);
    const problem = serialProblem(normalized);
    if (problem !== undefined) this.add(path, `is not a valid serial number: ${problem}`);
    return problem === undefined ? normalized : undefined;
  }
  unknownKeys(path: Path, value: Record<string, unknown>, known: ReadonlySet<string>): void {
    for (const key of Object.keys(value)) {
      if (!known.has(key)) {
        this.add([...path, key], `is not a known key (expected one of: ${[...known].join(', ')})`);
      }
    }
  }
}

function checkDevices(issues: Issues, devices: unknown): void {
  if (!isRecord(devices)) {
    issues.add(
      ['devices'],
      `must be an object mapping serial numbers to profile UUIDs, got ${describeType(devices)}`,
    );
    return;
  }
  const firstKey = new Map<string, string>();
  for (const [key, uuid] of Object.entries(devices)) {
    const normalized = issues.serial(['devices', key], key);
    issues.uuid(['devices', key], uuid);
    if (normalized === undefined) continue;
    const other = firstKey.get(normalized);
    if (other !== undefined && devices[other] !== uuid) {
      issues.add(
        ['devices', key],
        `is the same serial as devices["${other}"] with a different profile UUID`,
      );
    }
    if (other === undefined) firstKey.set(normalized, key);
  }
}

function checkGroup(issues: Issues, group: unknown, index: number, ids: Map<string, number>): void {
  const at: Path = ['groups', index];
  if (!isRecord(group)) {
    issues.add(
      at,
      `must be an object with id, profileUuid and serials, got ${describeType(group)}`,
    );
    return;
  }
  issues.unknownKeys(at, group, GROUP_KEYS);
  const { id, profileUuid, serials, priority, name } = group;
  if (typeof id !== 'string' || id.length === 0) {
    issues.add(
      [...at, 'id'],
      `must be a non-empty string, got ${typeof id === 'string' ? 'an empty string' : describeType(id)}`,
    );
  } else if (ids.has(id)) {
    issues.add(
      [...at, 'id'],
      `"${id}" is already the id of groups[${ids.get(id)}]; group ids must be unique`,
    );
  } else {
    ids.set(id, index);
  }
  issues.uuid([...at, 'profileUuid'], profileUuid);
  if (!Array.isArray(serials)) {
    issues.add(
      [...at, 'serials'],
      `must be an array of serial numbers, got ${describeType(serials)}`,
    );
  } else {
    for (let i = 0; i < serials.length; i++) issues.serial([...at, 'serials', i], serials[i]);
  }
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isFinite(priority))) {
    issues.add([...at, 'priority'], `must be a finite number, got ${describeType(priority)}`);
  }
  if (name !== undefined && typeof name !== 'string') {
    issues.add([...at, 'name'], `must be a string, got ${describeType(name)}`);
  }
}

function checkOsDefaults(issues: Issues, osDefaults: unknown): void {
  if (!isRecord(osDefaults)) {
    issues.add(
      ['osDefaults'],
      `must be an object mapping ios/ipados/macos/tvos/visionos/watchos to profile UUIDs, got ${describeType(osDefaults)}`,
    );
    return;
  }
  issues.unknownKeys(['osDefaults'], osDefaults, OS_KEYS);
  for (const os of DEVICE_OS_KEYS) {
    const uuid = osDefaults[os];
    if (uuid !== undefined) issues.uuid(['osDefaults', os], uuid);
  }
}

/**
 * Every structural problem of a policy, each with its path. An empty list means the policy is
 * well-formed.
 *
 * @internal
 */
export function policyIssues(policy: unknown): ValidationIssue[] {
  const issues = new Issues();
  if (!isRecord(policy)) {
    issues.add(
      [],
      `must be an object with devices, groups and/or osDefaults, got ${describeType(policy)}`,
    );
    return issues.list;
  }
  issues.unknownKeys([], policy, POLICY_KEYS);
  const { devices, groups, osDefaults } = policy;
  if (devices !== undefined) checkDevices(issues, devices);
  if (groups !== undefined) {
    if (Array.isArray(groups)) {
      const ids = new Map<string, number>();
      for (let i = 0; i < groups.length; i++) checkGroup(issues, groups[i], i, ids);
    } else {
      issues.add(['groups'], `must be an array of groups, got ${describeType(groups)}`);
    }
  }
  if (osDefaults !== undefined) checkOsDefaults(issues, osDefaults);
  return issues.list;
}
