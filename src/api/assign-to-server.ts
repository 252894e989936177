import { AbortError } from '../errors/index.js';
import type { SerialCsvInput } from '../profiles/csv-input.js';
import { streamSerialCsv } from '../profiles/parse-serial-csv.js';
import { isValidSerial, normaliseSerial } from '../profiles/serial.js';
import type { SerialCsvInvalidRow } from '../profiles/serial-csv-collector.js';
import { DEFAULT_ACTIVITY_CHUNK, type WaitForActivityOptions } from './activities.js';
import { assignChunk, type ChunkContext, lookUp } from './assign-chunk.js';
import {
  AssignReporter,
  type AssignSerialOutcome,
  type AssignToServerReport,
  type AssignToServerSummary,
} from './assign-report.js';
import type { ApiContext } from './context.js';
import { checkServerId } from './mdm-servers.js';
import { SerialSet } from './serial-set.js';

export type {
  AssignFailure,
  AssignSerialOutcome,
  AssignToServerCounts,
  AssignToServerReport,
  AssignToServerSummary,
} from './assign-report.js';

/** Options of {@link AbmApiClient.assignDevicesToServer}. */
export interface AssignDevicesToServerOptions {
  /** Serials per activity. Apple's maximum is unconfirmed. @default 1000 */
  chunkSize?: number;
  /** Activities in flight at once. @default 4 */
  concurrency?: number;
  /**
   * Look up each serial's current server first, to report `alreadyOnServer`, `moved` and
   * `notFound` precisely (one request per serial). @default true up to 5000 distinct serials,
   *   else false (up to 5001 serials are read before the first activity is sent, to decide)
   */
  lookup?: boolean;
  /** Polling of each activity. */
  poll?: Omit<WaitForActivityOptions, 'signal'>;
  /** Aborts the whole assignment (activities already submitted keep running at Apple). */
  signal?: AbortSignal;
  /**
   * The report's shape. `'lists'`: every serial listed by outcome ({@link AssignToServerReport}).
   * `'counts'`: counts only ({@link AssignToServerSummary}), so memory holds no list per serial
   * (only the exact de-duplication set, 10–20 bytes per distinct serial); pair it with
   * `onSerial` to see each one.
   * @default 'lists'
   */
  report?: 'lists' | 'counts';
  /**
   * Called once per input serial or row (duplicates and invalid rows included) as soon as its
   * outcome is known, in either report mode. When it returns a promise, that serial's chunk waits
   * for it. An error it throws stops the assignment and rejects the call.
   */
  onSerial?: (outcome: AssignSerialOutcome) => void | Promise<void>;
}

/** Serials to assign: a list, or a CSV (text, bytes, stream). */
export type SerialSource = readonly string[] | SerialCsvInput;

/** Distinct serials up to which `lookup` defaults to true. */
const LOOKUP_LIMIT = 5000;
/** List entries read per step. */
const LIST_STEP = 1024;

type Pending = { serial: string; line: number } | SerialCsvInvalidRow;

/**
 * Streams `source` into chunked activities: parse incrementally, de-duplicate exactly with a
 * compact {@link SerialSet}, look up (optionally) and send each chunk as soon as it is full, with
 * at most `concurrency` activities in flight; the input is held back while they are all busy.
 *
 * @internal
 */
export async function assignDevicesToServer(
  ctx: ApiContext,
  serverId: string,
  source: SerialSource,
  options: AssignDevicesToServerOptions = {},
): Promise<AssignToServerReport | AssignToServerSummary> {
  const target = checkServerId(serverId);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_ACTIVITY_CHUNK));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const reporter = new AssignReporter(target, options.report ?? 'lists', options.onSerial);
  const c: ChunkContext = {
    ctx,
    target,
    reporter,
    poll: options.poll,
    signal: options.signal ? { signal: options.signal } : {},
  };
  const seen = new SerialSet();
  let lookup = options.lookup;
  let undecided: string[] = [];
  let toLookUp: string[] = [];
  let chunk: string[] = [];
  let from = new Map<string, string>();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const submit = async (): Promise<void> => {
    const serials = chunk;
    const moves = from.size > 0 ? from : undefined;
    chunk = [];
    from = new Map();
    while (inFlight.size >= concurrency && failure === undefined) await Promise.race(inFlight);
    if (failure !== undefined) throw failure.error;
    const task: Promise<void> = assignChunk(c, serials, moves)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  const toChunk = async (serial: string, fromServerId: string | null): Promise<void> => {
    chunk.push(serial);
    if (fromServerId !== null) from.set(serial, fromServerId);
    if (chunk.length >= chunkSize) await submit();
  };
  const runLookups = async (): Promise<void> => {
    const batch = toLookUp;
    toLookUp = [];
    for (const [serial, fromId] of await lookUp(c, batch, concurrency * 4)) {
      await toChunk(serial, fromId);
    }
  };
  const accept = async (serial: string): Promise<void> => {
    if (lookup === undefined) {
      undecided.push(serial);
      if (undecided.length > LOOKUP_LIMIT) await decide(false);
    } else if (lookup) {
      toLookUp.push(serial);
      if (toLookUp.length >= chunkSize) await runLookups();
    } else await toChunk(serial, null);
  };
  const decide = async (value: boolean): Promise<void> => {
    lookup = value;
    const held = undecided;
    undecided = [];
    for (const serial of held) await accept(serial);
  };

  const pending: Pending[] = [];
  const drain = async (): Promise<void> => {
    if (failure !== undefined) throw failure.error;
    if (options.signal?.aborted) {
      throw new AbortError('The device assignment was aborted by the caller.', {
        cause: options.signal.reason,
      });
    }
    for (const item of pending) {
      if (!('serial' in item)) await reporter.emit({ status: 'invalid', ...item });
      else if (seen.add(item.serial)) await accept(item.serial);
      else {
        await reporter.emit({ status: 'duplicate', serialNumber: item.serial, line: item.line });
      }
    }
    pending.length = 0;
  };

  try {
    if (Array.isArray(source)) await readList(source as readonly unknown[], pending, drain);
    else {
      const sink = {
        serial: (serial: string, line: number) => pending.push({ serial, line }),
        invalid: (row: SerialCsvInvalidRow) => pending.push(row),
      };
      await streamSerialCsv(source as SerialCsvInput, sink, drain);
    }
    await drain();
    if (lookup === undefined) await decide(true);
    if (toLookUp.length > 0) await runLookups();
    if (chunk.length > 0) await submit();
  } catch (error) {
    failure ??= { error };
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure.error;
  return reporter.result();
}

async function readList(
  list: readonly unknown[],
  pending: Pending[],
  drain: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < list.length; i++) {
    const raw = list[i];
    const s = typeof raw === 'string' ? normaliseSerial(raw) : '';
    if (isValidSerial(s)) pending.push({ serial: s, line: i + 1 });
    else {
      pending.push({
        line: i + 1,
        value: String(raw).slice(0, 100),
        reason: 'not a serial number (8 to 14 letters or digits)',
      });
    }
    if (pending.length >= LIST_STEP) await drain();
  }
}
