import { toJson } from '../../domain/json.js';
import { checkDevicePatches, checkIso } from '../../domain/validate.js';
import { InvalidArgumentError } from '../../errors/index.js';
import type { RunOutcome } from '../adapter.js';
import type { DevicePatch, SyncRunStatus, TokenPatch } from '../types.js';

/** Checks a token patch argument. @internal */
export function checkTokenPatch(patch: unknown): asserts patch is TokenPatch {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new InvalidArgumentError(
      'A token patch must be an object of the fields to change, e.g. { name: "HQ" }.',
    );
  }
}

const DEVICE_TIMES = ['assignedAt', 'enrolledAt', 'profileServedAt'] as const;

/** Checks `updateDevices` patches and normalises their timestamps. @internal */
export function normaliseDevicePatches(patches: readonly DevicePatch[]): DevicePatch[] {
  checkDevicePatches(patches);
  return patches.map((p) => {
    const out: DevicePatch = { ...p };
    for (const f of DEVICE_TIMES) {
      const v = p[f];
      if (v !== undefined && v !== null) out[f] = checkIso(v, f);
    }
    return out;
  });
}

/** Checks `pruneSyncRuns`'s `keep` (`endSyncRun`'s keeps at least the run it ends). @internal */
export function checkKeep(keep: unknown, min = 0): number {
  if (!Number.isInteger(keep) || (keep as number) < min) {
    throw new InvalidArgumentError(
      min === 0
        ? '`keep` must be a non-negative integer.'
        : `\`keep\` must be an integer of at least ${min}.`,
    );
  }
  return keep as number;
}

/** The outcome a `finishSyncRun` result records (report as plain JSON). @internal */
export function runOutcome(result: {
  status: Exclude<SyncRunStatus, 'running'>;
  report?: Readonly<Record<string, unknown>> | undefined;
  error?: { code: string; message: string } | undefined;
}): RunOutcome {
  return {
    status: result.status,
    report: result.report === undefined ? null : (toJson(result.report) as Record<string, unknown>),
    error:
      result.error === undefined
        ? null
        : { code: result.error.code, message: result.error.message },
  };
}
