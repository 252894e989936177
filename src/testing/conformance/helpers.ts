import { randomBytes } from 'node:crypto';
import type { AdeDevice } from '../../schemas/device.js';
import type { KeyProvider } from '../../storage/secrets/key-provider.js';
import type { AbmStorage, LeaseFence } from '../../storage/types.js';
import type { StorageFactory, StorageFactoryContext, StorageHarness } from './types.js';

/** A 32-byte test key. @internal */
export const testKey = (): Uint8Array => randomBytes(32);

/** A unique id for this test. @internal */
export const uid = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

/** A device as Apple would send it. @internal */
export function dev(serial: string, extra: Partial<AdeDevice> = {}): AdeDevice {
  return {
    serial_number: serial,
    model: 'MacBook Air',
    description: 'MBA 13 M2',
    color: 'MIDNIGHT',
    os: 'OSX',
    device_family: 'Mac',
    profile_status: 'empty',
    ...extra,
  };
}

/** Serials `PREFIX0000`… @internal */
export function serials(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + from).padStart(5, '0')}`);
}

/** Runs `fn` with a fresh harness and always cleans up. @internal */
export async function withStore(
  factory: StorageFactory,
  context: StorageFactoryContext,
  fn: (h: StorageHarness) => Promise<void>,
): Promise<void> {
  const h = await factory(context);
  try {
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

/** Takes the token's lease and returns the fence. @internal */
export async function lease(
  s: AbmStorage,
  tokenId: string,
  owner = 'owner-a',
  ttlMs = 60_000,
): Promise<LeaseFence> {
  const g = await s.acquireLease(tokenId, owner, ttlMs);
  if (g === null) throw new Error(`test setup: lease for ${tokenId} is held`);
  return { tokenId, generation: g.generation };
}

/** Applies one page from the current cursor and returns the new cursor value. @internal */
export async function page(
  s: AbmStorage,
  fence: LeaseFence,
  devices: AdeDevice[],
  next = uid('cur'),
): Promise<string> {
  const c = await s.getCursor(fence.tokenId);
  await s.applyPage({
    ...fence,
    expectedCursor: c?.cursor ?? null,
    nextCursor: next,
    phase: 'sync',
    devices,
  });
  return next;
}

/** Sleeps. @internal */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Asserts that `p` rejects with an error carrying `code`. @internal */
export async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  const got = (error as { code?: unknown } | undefined)?.code;
  if (got !== code) {
    throw new Error(
      `expected a rejection with code ${code}, got ${error === undefined ? 'success' : String(got ?? error)}`,
    );
  }
}

/** The dump as text (bytes decoded as latin1 so every byte survives). @internal */
export function dumpText(d: string | Uint8Array): string {
  return typeof d === 'string' ? d : Buffer.from(d).toString('latin1');
}

/** A key provider whose active key and usable keys a rotation test changes. @internal */
export interface RotatingKeys {
  /** Pass as `encryptionKey`: starts on key `old`, both `old` and `new` unwrap. */
  provider: KeyProvider;
  /** Makes `new` the active key (`old` still unwraps). */
  rotate(): void;
  /** Retires `old`: unwrapping under it fails from now on. */
  retireOld(): void;
}

/** Two random keys `old` and `new` behind a provider for key-rotation tests. @internal */
export async function rotatingKeys(): Promise<RotatingKeys> {
  const keys: Record<string, Buffer> = {
    old: Buffer.from(testKey()),
    new: Buffer.from(testKey()),
  };
  const { createKeyring } = await import('../../storage/secrets/key-provider.js');
  let active = 'old';
  let allowed = new Set(['old', 'new']);
  return {
    provider: {
      get activeKeyId() {
        return active;
      },
      wrapKey: (dek, ctx) => createKeyring({ activeKeyId: active, keys }).wrapKey(dek, ctx),
      unwrapKey: (w, id, ctx) => {
        if (!allowed.has(id)) throw new Error('key retired');
        return createKeyring({ activeKeyId: active, keys }).unwrapKey(w, id, ctx);
      },
    },
    rotate: () => {
      active = 'new';
    },
    retireOld: () => {
      allowed = new Set(['new']);
    },
  };
}
