import { InvalidArgumentError } from '../errors/index.js';
import type { ApplyPageInput, PagePlanEntry } from '../storage/types.js';
import { checkIso, checkSerial } from './validate.js';

/**
 * Checks {@link ApplyPageInput.plans} and indexes them by serial (`assignedAt` normalised; an
 * assignment without `assignedAt` is dropped). @internal
 */
export function pagePlans(input: ApplyPageInput): Map<string, PagePlanEntry> {
  const out = new Map<string, PagePlanEntry>();
  for (const p of input.plans ?? []) {
    const serialNumber = checkSerial(p?.serialNumber);
    if (!Number.isInteger(p.planRevision)) {
      throw new InvalidArgumentError('A page plan needs an integer `planRevision`.');
    }
    const assigned =
      p.assignedAt === undefined || typeof p.assignedProfileUuid !== 'string'
        ? {}
        : {
            assignedProfileUuid: p.assignedProfileUuid,
            assignedAt: checkIso(p.assignedAt, 'A page plan assignedAt'),
          };
    out.set(serialNumber, {
      serialNumber,
      resolvedProfileUuid: p.resolvedProfileUuid ?? null,
      unassignedReason: p.unassignedReason ?? null,
      planRevision: p.planRevision,
      ...assigned,
    });
  }
  return out;
}
