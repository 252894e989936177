/**
 * The request log and counters, for assertions.
 *
 * @internal
 * @module
 */
import type { SimCounters, SimRequestLogEntry } from './types.js';

function emptyCounters(): SimCounters {
  return {
    requests: 0,
    byEndpoint: {},
    byStatus: {},
    sessionsIssued: 0,
    sessionsRotated: 0,
    devicesServed: 0,
    faultsApplied: 0,
  };
}

/** @internal */
export class RequestLog {
  readonly #limit: number;
  #entries: SimRequestLogEntry[] = [];
  #seq = 0;
  counters: SimCounters = emptyCounters();

  constructor(limit: number) {
    this.#limit = limit;
  }

  get entries(): readonly SimRequestLogEntry[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
    this.#seq = 0;
    this.counters = emptyCounters();
  }

  record(entry: Omit<SimRequestLogEntry, 'seq'>): SimRequestLogEntry {
    const full: SimRequestLogEntry = { seq: ++this.#seq, ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.#limit)
      this.#entries.splice(0, this.#entries.length - this.#limit);
    const c = this.counters;
    c.requests++;
    c.byEndpoint[entry.endpoint] = (c.byEndpoint[entry.endpoint] ?? 0) + 1;
    c.byStatus[String(entry.status)] = (c.byStatus[String(entry.status)] ?? 0) + 1;
    if (entry.devicesOut !== undefined) c.devicesServed += entry.devicesOut;
    if (entry.fault) c.faultsApplied++;
    if (entry.rotatedSession) c.sessionsRotated++;
    return full;
  }
}
