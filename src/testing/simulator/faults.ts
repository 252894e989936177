/**
 * Scripted faults: per endpoint (or path), per call.
 *
 * @internal
 * @module
 */
import { InvalidArgumentError } from '../../errors/index.js';
import type { SimFault, SimFaults } from './types.js';

interface ActiveFault {
  id: string;
  fault: SimFault;
  skip: number;
  remaining: number;
}

/** @internal */
export class FaultRegistry implements SimFaults {
  #faults: ActiveFault[] = [];
  #nextId = 1;

  add(fault: SimFault): string {
    if (typeof fault?.endpoint !== 'string' || fault.endpoint.length === 0) {
      throw new InvalidArgumentError(
        'sim.faults.add: endpoint must be an endpoint name or a path.',
      );
    }
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new InvalidArgumentError('sim.faults.add: times must be > 0.');
    if (
      fault.status !== undefined &&
      !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)
    ) {
      throw new InvalidArgumentError(
        'sim.faults.add: status must be an HTTP status code (100–599).',
      );
    }
    const id = `fault-${this.#nextId++}`;
    this.#faults.push({ id, fault: { ...fault }, skip: fault.after ?? 0, remaining: times });
    return id;
  }

  remove(id: string): void {
    this.#faults = this.#faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.#faults = [];
  }

  list(): (SimFault & { id: string; remaining: number })[] {
    return this.#faults.map((f) => ({ ...f.fault, id: f.id, remaining: f.remaining }));
  }

  /** Consumes and returns the fault that applies to this request, if any. */
  take(endpoint: string, path: string, method: string): SimFault | undefined {
    for (const active of this.#faults) {
      const { fault } = active;
      if (fault.endpoint !== endpoint && fault.endpoint !== path) continue;
      if (fault.method !== undefined && fault.method.toUpperCase() !== method) continue;
      if (active.skip > 0) {
        active.skip--;
        continue;
      }
      active.remaining--;
      if (active.remaining <= 0) this.remove(active.id);
      return fault;
    }
    return undefined;
  }
}
