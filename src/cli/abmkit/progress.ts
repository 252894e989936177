import { createLogUpdate } from 'log-update';
import type { AbmManager } from '../../manager/abm-manager.js';
import type { SyncReport } from '../../manager/types.js';

interface Line {
  pages: number;
  devices: number;
  assigned: number;
  throttled: number;
  phase: string;
}

/**
 * Live sync progress: one redrawn line per token on a terminal (log-update), plain lines
 * (one per page) when stdout is not a terminal. Returns a function that stops following.
 */
export function followProgress(
  manager: AbmManager,
  stream: NodeJS.WriteStream,
  only?: (tokenId: string) => boolean,
): () => void {
  const tty = stream.isTTY === true;
  const lines = new Map<string, Line>();
  const update = tty ? createLogUpdate(stream) : undefined;
  const text = (id: string, l: Line) =>
    `${id}: ${l.phase} page ${l.pages} · ${l.devices} devices · assigned ${l.assigned} · throttled ${l.throttled}`;
  const render = (id: string) => {
    const l = lines.get(id);
    if (l === undefined) return;
    if (update !== undefined) update([...lines].map(([k, v]) => text(k, v)).join('\n'));
    else stream.write(`${text(id, l)}\n`);
  };
  const get = (id: string): Line => {
    let l = lines.get(id);
    if (l === undefined) {
      l = { pages: 0, devices: 0, assigned: 0, throttled: 0, phase: 'syncing' };
      lines.set(id, l);
    }
    return l;
  };
  const wanted = (id: string) => only === undefined || only(id);
  const offs = [
    manager.on('sync.started', (e) => {
      if (!wanted(e.tokenId)) return;
      const l = get(e.tokenId);
      Object.assign(l, { pages: 0, devices: 0, assigned: 0, throttled: 0 });
      l.phase = e.fullFetch ? 'full fetch' : 'changes';
    }),
    manager.on('sync.progress', (e) => {
      if (!wanted(e.tokenId)) return;
      const l = get(e.tokenId);
      l.pages = e.pages;
      l.devices = e.devices;
      render(e.tokenId);
    }),
    manager.on('profile.assigned', (e) => {
      if (!wanted(e.tokenId)) return;
      get(e.tokenId).assigned += e.serials.length;
      if (tty) render(e.tokenId);
    }),
    manager.on('profile.throttled', (e) => {
      if (!wanted(e.tokenId)) return;
      get(e.tokenId).throttled += e.serials.length;
      if (tty) render(e.tokenId);
    }),
  ];
  return () => {
    for (const off of offs) off();
    update?.done();
  };
}

/** One line summing up a sync report, totals included when known. */
export function reportLine(r: SyncReport): string {
  if (r.status === 'skipped') return `${r.tokenId}: skipped (${r.skipped})`;
  const totals =
    r.totals === null
      ? ''
      : `; totals ${Object.entries(r.totals)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`;
  const error = r.error === null ? '' : `; ${r.error.code}: ${r.error.message}`;
  return (
    `${r.tokenId}: ${r.status} in ${r.durationMs} ms${r.fullFetch ? ' (full fetch)' : ''}: ${r.pages} page${r.pages === 1 ? '' : 's'}, ` +
    `devices +${r.devices.added} ~${r.devices.modified} -${r.devices.removed}, assigned ${r.profiles.assigned}, ` +
    `failed ${r.profiles.failed}, throttled ${r.profiles.throttled}, unassigned ${r.unassigned}${totals}${error}`
  );
}
