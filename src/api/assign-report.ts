/**
 * The outcome types of `assignDevicesToServer` and the bookkeeping that turns per-serial
 * outcomes into a report: lists, counts only, and/or a callback per serial.
 *
 * @module
 */
import type { SerialCsvInvalidRow } from '../profiles/serial-csv-collector.js';

/** One serial that could not be assigned. */
export interface AssignFailure {
  /** Serial number. */
  serialNumber: string;
  /** Why, as Apple or abmkit worded it. */
  reason: string;
}

/** How many input serials or rows ended in each outcome (see {@link AssignToServerReport}). */
export interface AssignToServerCounts {
  /** Serials now on the server that were not before (moved ones included). */
  assigned: number;
  /** Serials that were already on the server. */
  alreadyOnServer: number;
  /** Serials taken from another server (also counted in `assigned`); known only with `lookup`. */
  moved: number;
  /** Serials the organisation does not have. */
  notFound: number;
  /** Serials that failed for another reason. */
  failed: number;
  /** Input rows or list entries that are not serial numbers. */
  invalid: number;
  /** Rows or entries dropped because their serial came earlier in the input. */
  duplicates: number;
}

/**
 * What `assignDevicesToServer` returns with `report: 'counts'`: counts only, no per-serial
 * list, so its size does not depend on the number of serials (use `onSerial` to see each one).
 */
export interface AssignToServerSummary {
  /** Target server. */
  serverId: string;
  /** Serials and rows per outcome. */
  counts: AssignToServerCounts;
  /** Ids of the activities created (one per chunk of `chunkSize` serials). */
  activityIds: string[];
}

/** The one report of `assignDevicesToServer` (the default, `report: 'lists'`). */
export interface AssignToServerReport extends AssignToServerSummary {
  /** Serials now on the server that were not before (moved ones included). */
  assigned: string[];
  /** Serials that were already on the server (nothing sent for them when `lookup` ran). */
  alreadyOnServer: string[];
  /** Serials taken from another server (also in `assigned`); known only when `lookup` ran. */
  moved: { serialNumber: string; fromServerId: string }[];
  /** Serials the organisation does not have. */
  notFound: string[];
  /** Serials that failed for another reason. */
  failed: AssignFailure[];
  /** Input rows that are not serial numbers (CSV rows with line numbers, or list entries). */
  invalid: SerialCsvInvalidRow[];
  /** How many rows or entries were dropped as duplicates (the same as `counts.duplicates`). */
  duplicates: number;
}

/**
 * The outcome of one input serial or row, given to the `onSerial` callback as soon as it is
 * known. `line` is the 1-based CSV line, or the 1-based position in a serial list.
 */
export type AssignSerialOutcome =
  | {
      /** Now on the server. */
      status: 'assigned';
      /** Serial number. */
      serialNumber: string;
      /** The server it was taken from; `null` when it was on none or `lookup` did not run. */
      fromServerId: string | null;
    }
  | {
      /** Was on the server already; nothing was sent for it. */
      status: 'alreadyOnServer';
      /** Serial number. */
      serialNumber: string;
    }
  | {
      /** Not a device of the organisation. */
      status: 'notFound';
      /** Serial number. */
      serialNumber: string;
    }
  | {
      /** Could not be assigned. */
      status: 'failed';
      /** Serial number. */
      serialNumber: string;
      /** Why, as Apple or abmkit worded it. */
      reason: string;
    }
  | {
      /** Came earlier in the input; dropped. */
      status: 'duplicate';
      /** Serial number. */
      serialNumber: string;
      /** Where the repeat is. */
      line: number;
    }
  | {
      /** Not a serial number; never sent. */
      status: 'invalid';
      /** Where it is. */
      line: number;
      /** The value as written (trimmed, at most 100 characters). */
      value: string;
      /** What is wrong with it. */
      reason: string;
    };

/** @internal Counts every outcome; keeps lists only in `'lists'` mode; calls `onSerial`. */
export class AssignReporter {
  readonly counts: AssignToServerCounts = {
    assigned: 0,
    alreadyOnServer: 0,
    moved: 0,
    notFound: 0,
    failed: 0,
    invalid: 0,
    duplicates: 0,
  };
  readonly activityIds: string[] = [];
  private readonly lists: Omit<AssignToServerReport, keyof AssignToServerSummary> | undefined;

  constructor(
    private readonly serverId: string,
    mode: 'lists' | 'counts',
    private readonly onSerial?: (outcome: AssignSerialOutcome) => void | Promise<void>,
  ) {
    this.lists =
      mode === 'counts'
        ? undefined
        : {
            assigned: [],
            alreadyOnServer: [],
            moved: [],
            notFound: [],
            failed: [],
            invalid: [],
            duplicates: 0,
          };
  }

  /** Files one outcome; awaits `onSerial` only when it returned a promise. */
  emit(outcome: AssignSerialOutcome): void | Promise<void> {
    const { counts, lists } = this;
    switch (outcome.status) {
      case 'assigned':
        counts.assigned++;
        lists?.assigned.push(outcome.serialNumber);
        if (outcome.fromServerId !== null) {
          counts.moved++;
          lists?.moved.push({
            serialNumber: outcome.serialNumber,
            fromServerId: outcome.fromServerId,
          });
        }
        break;
      case 'alreadyOnServer':
        counts.alreadyOnServer++;
        lists?.alreadyOnServer.push(outcome.serialNumber);
        break;
      case 'notFound':
        counts.notFound++;
        lists?.notFound.push(outcome.serialNumber);
        break;
      case 'failed':
        counts.failed++;
        lists?.failed.push({ serialNumber: outcome.serialNumber, reason: outcome.reason });
        break;
      case 'duplicate':
        counts.duplicates++;
        if (lists) lists.duplicates++;
        break;
      case 'invalid':
        counts.invalid++;
        lists?.invalid.push({ line: outcome.line, value: outcome.value, reason: outcome.reason });
        break;
    }
    return this.onSerial?.(outcome);
  }

  /** The report in the requested shape. */
  result(): AssignToServerReport | AssignToServerSummary {
    const base = { serverId: this.serverId, counts: this.counts, activityIds: this.activityIds };
    return this.lists === undefined ? base : { ...base, ...this.lists };
  }
}
