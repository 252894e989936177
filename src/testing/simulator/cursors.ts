/**
 * Opaque fetch/sync cursors: base64 of the position, the event sequence the fetch started at,
 * the issue time (for `EXPIRED_CURSOR`), the simulator generation (so `reset()` invalidates old
 * cursors) and a short check value (so edited cursors give `INVALID_CURSOR`).
 *
 * @internal
 * @module
 */
import { hash2 } from './random.js';

/** @internal Decoded cursor. */
export interface CursorState {
  /** `f`: mid-fetch; `x`: fetch finished (exhausted); `s`: sync position. */
  kind: 'f' | 'x' | 's';
  /** Fetch: next slot. Unused for sync. */
  position: number;
  /** Event sequence number: sync reports events from here on. */
  seq: number;
  /** Issue time, epoch milliseconds (whole seconds made cursors expire up to 1 s early). */
  issuedAt: number;
  /** Simulator generation. */
  generation: number;
}

function check(secret: number, text: string): string {
  let h = secret;
  for (let i = 0; i < text.length; i++) h = hash2(h, text.charCodeAt(i));
  return h.toString(36);
}

/** @internal Encodes a cursor. */
export function encodeCursor(secret: number, state: CursorState): string {
  const text = `${state.issuedAt}-${state.kind}${state.generation}.${state.position}.${state.seq}`;
  return Buffer.from(`${text}-${check(secret, text)}`, 'utf8').toString('base64');
}

/** @internal Decodes a cursor, or `undefined` when it is not one of ours. */
export function decodeCursor(secret: number, cursor: string): CursorState | undefined {
  if (cursor.length === 0 || cursor.length > 1000 || !/^[A-Za-z0-9+/]+=*$/.test(cursor))
    return undefined;
  const raw = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^(\d+)-([fxs])(\d+)\.(\d+)\.(\d+)-([0-9a-z]+)$/.exec(raw);
  if (!match) return undefined;
  const text = raw.slice(0, raw.lastIndexOf('-'));
  if (check(secret, text) !== match[6]) return undefined;
  return {
    issuedAt: Number(match[1]),
    kind: match[2] as CursorState['kind'],
    generation: Number(match[3]),
    position: Number(match[4]),
    seq: Number(match[5]),
  };
}
