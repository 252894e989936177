import { readFileSync } from 'node:fs';

/**
 * What identifies a process beyond its pid, on Linux: the kernel's boot id and the process's
 * start time (clock ticks since boot, field 22 of `/proc/<pid>/stat`). A pid is reused (pid 1 in
 * every container), a (boot id, pid, start time) triple is not. `undefined` where `/proc` is
 * missing (macOS, Windows), where pid namespaces do not exist either.
 * @internal
 */
export interface ProcessIdentity {
  bootId: string | undefined;
  startTime: string | undefined;
}

/** The kernel boot id, or `undefined` off Linux. @internal */
export function bootId(procRoot = '/proc'): string | undefined {
  try {
    const id = readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

/**
 * The start time of process `pid` as `/proc` shows it (`self` for this process), or `undefined`
 * when there is no such process in this `/proc` (or no `/proc`).
 * @internal
 */
export function processStartTime(pid: number | 'self', procRoot = '/proc'): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces or ')': split after
  // the last ')'. Field 3 is then the first, so field 22 (starttime) is index 19.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** This process's identity. @internal */
export function ownIdentity(procRoot = '/proc'): ProcessIdentity {
  return { bootId: bootId(procRoot), startTime: processStartTime('self', procRoot) };
}
