import { isAbmError } from '../errors/index.js';
import type { SerialCsvInput } from '../profiles/csv-input.js';
import { parseSerialCsv } from '../profiles/parse-serial-csv.js';
import { isValidSerial, normaliseSerial } from '../profiles/serial.js';
import type { SerialCsvInvalidRow } from '../profiles/serial-csv-collector.js';
import {
  createActivity,
  DEFAULT_ACTIVITY_CHUNK,
  fetchActivityLog,
  type WaitForActivityOptions,
  waitForActivity,
} from './activities.js';
import type { ApiContext } from './context.js';
import { checkServerId } from './mdm-servers.js';
import { getAssignedServerId, isNotFound } from './org-devices.js';

/** Options of {@link AbmApiClient.assignDevicesToServer}. */
export interface AssignDevicesToServerOptions {
  /** Serials per activity. Apple's maximum is unconfirmed. @default 1000 */
  chunkSize?: number;
  /** Activities in flight at once. @default 4 */
  concurrency?: number;
  /**
   * Look up each serial's current server first, to report `alreadyOnServer`, `moved` and
   * `notFound` precisely (one request per serial). @default true up to 5000 serials, else false
   */
  lookup?: boolean;
  /** Polling of each activity. */
  poll?: Omit<WaitForActivityOptions, 'signal'>;
  /** Aborts the whole assignment (activities already submitted keep running at Apple). */
  signal?: AbortSignal;
}

/** One serial that could not be assigned. */
export interface AssignFailure {
  /** Serial number. */
  serialNumber: string;
  /** Why, as Apple or abmkit worded it. */
  reason: string;
}

/** The one report of {@link AbmApiClient.assignDevicesToServer}. */
export interface AssignToServerReport {
  /** Target server. */
  serverId: string;
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
  /** How many duplicate serials were dropped. */
  duplicates: number;
  /** Ids of the activities created. */
  activityIds: string[];
}

/** Serials to assign: a list, or a CSV (text, bytes, stream). */
export type SerialSource = readonly string[] | SerialCsvInput;

async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let stopped = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!stopped && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        stopped = true; // the other workers take no new item
        throw error;
      }
    }
  });
  await Promise.all(workers);
}

async function readSerials(
  source: SerialSource,
): Promise<{ serials: string[]; invalid: SerialCsvInvalidRow[]; duplicates: number }> {
  if (Array.isArray(source)) {
    const seen = new Set<string>();
    const invalid: SerialCsvInvalidRow[] = [];
    let duplicates = 0;
    (source as readonly unknown[]).forEach((raw, i) => {
      const s = typeof raw === 'string' ? normaliseSerial(raw) : '';
      if (!isValidSerial(s)) {
        invalid.push({
          line: i + 1,
          value: typeof raw === 'string' ? raw.slice(0, 100) : String(raw).slice(0, 100),
          reason: 'not a serial number (8 to 14 letters or digits)',
        } as SerialCsvInvalidRow);
      } else if (seen.has(s)) duplicates++;
      else seen.add(s);
    });
    return { serials: [...seen], invalid, duplicates };
  }
  const parsed = await parseSerialCsv(source as SerialCsvInput, { rows: false });
  return { serials: parsed.serials, invalid: parsed.invalid, duplicates: parsed.duplicates.length };
}

/** Errors that concern the whole call (credentials, scope, abort), not one serial: rethrown. */
const FATAL = new Set(['AUTH_FAILED', 'ACCESS_DENIED', 'CONFIGURATION_INVALID', 'ABORTED']);
const fatal = (error: unknown): boolean => isAbmError(error) && FATAL.has(error.code);

const reasonOf = (error: unknown): string =>
  isAbmError(error)
    ? `${error.code}: ${error.message}`
    : String((error as Error)?.message ?? error);

/** @internal */
export async function assignDevicesToServer(
  ctx: ApiContext,
  serverId: string,
  source: SerialSource,
  options: AssignDevicesToServerOptions = {},
): Promise<AssignToServerReport> {
  const target = checkServerId(serverId);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_ACTIVITY_CHUNK));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const { serials, invalid, duplicates } = await readSerials(source);
  const report: AssignToServerReport = {
    serverId: target,
    assigned: [],
    alreadyOnServer: [],
    moved: [],
    notFound: [],
    failed: [],
    invalid,
    duplicates,
    activityIds: [],
  };
  const lookup = options.lookup ?? serials.length <= 5000;
  const from = new Map<string, string>();
  let toSend = serials;
  if (lookup) {
    toSend = [];
    await pool(serials, concurrency * 4, async (serial) => {
      try {
        const current = await getAssignedServerId(ctx, serial, {
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (current === target) report.alreadyOnServer.push(serial);
        else {
          if (current !== null) from.set(serial, current);
          toSend.push(serial);
        }
      } catch (error) {
        if (fatal(error)) throw error;
        if (isNotFound(error)) report.notFound.push(serial);
        else report.failed.push({ serialNumber: serial, reason: reasonOf(error) });
      }
    });
  }
  // Chunk starts only: each chunk is sliced when its activity is created, not all up front.
  const starts: number[] = [];
  for (let i = 0; i < toSend.length; i += chunkSize) starts.push(i);
  const succeeded = (serial: string): void => {
    report.assigned.push(serial);
    const previous = from.get(serial);
    if (previous !== undefined) report.moved.push({ serialNumber: serial, fromServerId: previous });
  };
  await pool(starts, concurrency, async (start) => {
    const chunk = toSend.slice(start, start + chunkSize);
    try {
      const signal = options.signal ? { signal: options.signal } : {};
      const created = await createActivity(
        ctx,
        { activityType: 'ASSIGN_DEVICES', serverId: target, serials: chunk },
        signal,
      );
      report.activityIds.push(created.id);
      const done = await waitForActivity(ctx, created.id, { ...options.poll, ...signal });
      const log = await fetchActivityLog(ctx, done, signal).catch(() => undefined);
      const entries = log?.entries;
      if (entries !== undefined && entries.length > 0) {
        const bySerial = new Map(entries.map((e) => [e.serialNumber, e]));
        for (const serial of chunk) {
          const entry = bySerial.get(serial);
          if (entry === undefined) {
            if (done.status === 'COMPLETED') succeeded(serial);
            else
              report.failed.push({
                serialNumber: serial,
                reason: `activity ${String(done.status)} without a log line`,
              });
          } else if (entry.ok) succeeded(serial);
          else if (
            /not\s*found|unknown|not in (the|this) org/i.test(
              `${entry.status} ${entry.reason ?? ''}`,
            )
          ) {
            report.notFound.push(serial);
          } else {
            report.failed.push({ serialNumber: serial, reason: entry.reason ?? entry.status });
          }
        }
      } else if (done.status === 'COMPLETED') {
        for (const serial of chunk) succeeded(serial);
      } else {
        const why = `activity ${created.id} ended ${String(done.status)}${done.subStatus ? ` (${done.subStatus})` : ''}`;
        for (const serial of chunk) report.failed.push({ serialNumber: serial, reason: why });
      }
    } catch (error) {
      if (fatal(error)) throw error;
      const why = reasonOf(error);
      for (const serial of chunk) report.failed.push({ serialNumber: serial, reason: why });
    }
  });
  return report;
}
