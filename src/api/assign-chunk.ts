/**
 * One chunk of `assignDevicesToServer`: look its serials up (optional), run one
 * `ASSIGN_DEVICES` activity, read its log and file each serial's outcome.
 *
 * @internal
 * @module
 */
import { mapChunks } from '../client/batch.js';
import { isAbmError } from '../errors/index.js';
import {
  createActivity,
  fetchActivityLog,
  type WaitForActivityOptions,
  waitForActivity,
} from './activities.js';
import type { AssignReporter } from './assign-report.js';
import type { ApiContext } from './context.js';
import { getAssignedServerId, isNotFound } from './org-devices.js';
import type { ActivityLogEntry } from './types.js';

/** Errors that concern the whole call (credentials, scope, abort), not one serial: rethrown. */
const FATAL = new Set(['AUTH_FAILED', 'ACCESS_DENIED', 'CONFIGURATION_INVALID', 'ABORTED']);
const fatal = (error: unknown): boolean => isAbmError(error) && FATAL.has(error.code);

const reasonOf = (error: unknown): string =>
  isAbmError(error)
    ? `${error.code}: ${error.message}`
    : String((error as Error)?.message ?? error);

const NOT_FOUND = /not\s*found|unknown|not in (the|this) org/i;

/** @internal What a chunk needs besides its serials. */
export interface ChunkContext {
  ctx: ApiContext;
  target: string;
  reporter: AssignReporter;
  poll: Omit<WaitForActivityOptions, 'signal'> | undefined;
  signal: { signal?: AbortSignal };
}

/**
 * Looks each serial's current server up; files those already there, unknown or failing, and
 * returns the others with the server they are on now (`null`: none), in input order.
 *
 * @internal
 */
export async function lookUp(
  c: ChunkContext,
  serials: readonly string[],
  limit: number,
): Promise<[serial: string, from: string | null][]> {
  const found = new Map<string, string | null>();
  // The first fatal error starts no new lookup and is thrown once those in flight settled, so no
  // serial is reported after the call has failed.
  await mapChunks(serials, limit, async (serial) => {
    let current: string | null;
    try {
      current = await getAssignedServerId(c.ctx, serial, c.signal);
    } catch (error) {
      if (fatal(error)) throw error;
      if (isNotFound(error)) await c.reporter.emit({ status: 'notFound', serialNumber: serial });
      else
        await c.reporter.emit({ status: 'failed', serialNumber: serial, reason: reasonOf(error) });
      return;
    }
    if (current === c.target)
      await c.reporter.emit({ status: 'alreadyOnServer', serialNumber: serial });
    else found.set(serial, current);
  });
  return serials.filter((s) => found.has(s)).map((s) => [s, found.get(s) ?? null]);
}

/**
 * One activity for `chunk`; `from` holds the servers that serials are taken from (known with
 * lookup). Per-serial failures are filed; fatal errors and `onSerial` errors are thrown.
 *
 * @internal
 */
export async function assignChunk(
  c: ChunkContext,
  chunk: readonly string[],
  from: ReadonlyMap<string, string> | undefined,
): Promise<void> {
  let entries: ActivityLogEntry[] | undefined;
  let why: string | undefined;
  let completed = false;
  let status = '';
  try {
    const created = await createActivity(
      c.ctx,
      { activityType: 'ASSIGN_DEVICES', serverId: c.target, serials: chunk },
      c.signal,
    );
    c.reporter.activityIds.push(created.id);
    const done = await waitForActivity(c.ctx, created.id, { ...c.poll, ...c.signal });
    completed = done.status === 'COMPLETED';
    status = String(done.status);
    const log = await fetchActivityLog(c.ctx, done, c.signal).catch(() => undefined);
    if (log?.entries !== undefined && log.entries.length > 0) entries = log.entries;
    else if (!completed) {
      why = `activity ${created.id} ended ${status}${done.subStatus ? ` (${done.subStatus})` : ''}`;
    }
  } catch (error) {
    if (fatal(error)) throw error;
    why = reasonOf(error);
  }
  const assigned = (serial: string) =>
    c.reporter.emit({
      status: 'assigned',
      serialNumber: serial,
      fromServerId: from?.get(serial) ?? null,
    });
  const bySerial = entries && new Map(entries.map((e) => [e.serialNumber, e]));
  for (const serial of chunk) {
    const entry = bySerial?.get(serial);
    let done: void | Promise<void>;
    if (why !== undefined)
      done = c.reporter.emit({ status: 'failed', serialNumber: serial, reason: why });
    else if (bySerial === undefined || (entry === undefined && completed)) done = assigned(serial);
    else if (entry === undefined) {
      done = c.reporter.emit({
        status: 'failed',
        serialNumber: serial,
        reason: `activity ${status} without a log line`,
      });
    } else if (entry.ok) done = assigned(serial);
    else if (NOT_FOUND.test(`${entry.status} ${entry.reason ?? ''}`)) {
      done = c.reporter.emit({ status: 'notFound', serialNumber: serial });
    } else {
      done = c.reporter.emit({
        status: 'failed',
        serialNumber: serial,
        reason: entry.reason ?? entry.status,
      });
    }
    if (done !== undefined) await done;
  }
}
