import { createHash } from 'node:crypto';
import { normaliseResult, planAssignmentResults } from '../../domain/assignments.js';
import {
  awaitsAssignment,
  collapsePage,
  DEVICE_STATUSES,
  newRunId,
  opDateMs,
} from '../../domain/devices.js';
import { toJson } from '../../domain/json.js';
import { pagePlans } from '../../domain/pages.js';
import {
  checkDevicePatches,
  checkIso,
  checkLeaseArgs,
  checkSerial,
  checkTokenId,
} from '../../domain/validate.js';
import {
  CursorConflictError,
  InvalidArgumentError,
  LeaseLostError,
  StorageError,
} from '../../errors/index.js';
import type { AdeDevice } from '../../schemas/device.js';
import { FaultableStorage, type FaultInjectionOptions } from '../shared/faults.js';
import { decodeRetryCursor, encodeCursor, pageLimit } from '../shared/paging.js';
import type { StorageBaseOptions } from '../storage-base.js';
import type {
  ApplyPageInput,
  ApplyPageResult,
  AssignmentResultInput,
  AssignmentRetryRecord,
  CursorRecord,
  DevicePatch,
  DeviceQuery,
  DeviceRecord,
  DeviceStatus,
  IsoDateTime,
  LeaseFence,
  LeaseGrant,
  MarkMissingInput,
  Page,
  PageQuery,
  PolicyRecord,
  RetryQuery,
  SessionRecord,
  SetCursorInput,
  StorageCapabilities,
  SyncRunRecord,
  SyncRunStatus,
  TokenExpectation,
  TokenPatch,
  TokenQuery,
  TokenRecord,
} from '../types.js';
import { RedisApiAccountStore } from './api-accounts.js';
import * as lua from './lua.js';

/** The subset of an `ioredis` client that RedisStorage uses (`Redis` and `Cluster` fit). */
export interface RedisClientLike {
  /** Sends any command (ioredis `call`). */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of {@link RedisStorage}. */
export interface RedisStorageOptions extends StorageBaseOptions, FaultInjectionOptions {
  /** Your `ioredis` client (RedisStorage never connects or quits it). */
  client: RedisClientLike;
  /** Key prefix (default `abmkit`). Keys look like `<prefix>:{<tokenId>}:devices`. */
  prefix?: string | undefined;
}

interface Meta {
  fs: string;
  odm?: string;
  od?: string;
  ot?: string;
  rm?: boolean;
  rma?: string;
  rs?: string;
  rr?: string;
  pl?: string;
  as?: string;
  asa?: string;
  en?: string;
  sv?: string;
  ff?: string;
  ps?: string;
  pu?: string;
  up: string;
  st: DeviceStatus;
}

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
const isoFromTime = (sec: unknown, usec: unknown, plusMs = 0): string =>
  new Date(Number(sec) * 1000 + Math.floor(Number(usec) / 1000) + plusMs).toISOString();

/**
 * Redis storage over the embedder's `ioredis` client, for one or many replicas.
 *
 * Each token's keys share the `{tokenId}` hash tag (one Cluster slot), so page apply + cursor
 * compare-and-set is one Lua script that also checks the lease generation. Leases are
 * `SET NX PX` with a generation from `INCR`, renewed and released by owner-checking scripts, and
 * expire on the Redis clock. Device listings use sorted-set indexes per status. The cross-token
 * serial index (`<prefix>:serial:<serial>`) is written before each page, so a crash can leave
 * an extra index entry but never a missing one; lookups ignore entries without a device.
 */
export class RedisStorage extends FaultableStorage {
  /** {@inheritDoc AbmStorage.capabilities} */
  readonly capabilities: StorageCapabilities = Object.freeze({
    crossProcessLeases: true,
    atomicPageApply: true,
    ttl: true,
    persistent: true,
  });

  readonly #c: RedisClientLike;
  readonly #prefix: string;

  constructor(options: RedisStorageOptions) {
    super(options);
    const client = options?.client as RedisClientLike | undefined;
    if (!client || typeof client.call !== 'function') {
      throw new InvalidArgumentError(
        'RedisStorage needs `client`: an ioredis client (npm install ioredis; new Redis(url)).',
      );
    }
    const prefix = options.prefix ?? 'abmkit';
    if (!/^[^{}\s]{1,100}$/.test(prefix)) {
      throw new InvalidArgumentError(
        'A Redis key prefix must be 1–100 characters without braces or spaces.',
      );
    }
    this.#c = client;
    this.#prefix = prefix;
    this.apiAccounts = new RedisApiAccountStore(client, prefix, this.secrets);
  }

  /** Business API accounts and token → server links (hashes `<prefix>:api:*`). */
  readonly apiAccounts: RedisApiAccountStore;

  /** The key prefix. */
  get prefix(): string {
    return this.#prefix;
  }

  // --- plumbing --------------------------------------------------------------------------------

  #base(tokenId: string): string {
    // Ids with braces are encoded; so are ids that look like an encoding (`b64.…`), or
    // `a{b}` and `b64.YXtifQ` would share their keys.
    const tag =
      /^[^{}]+$/.test(tokenId) && !tokenId.startsWith('b64.')
        ? tokenId
        : `b64.${Buffer.from(tokenId).toString('base64url')}`;
    return `${this.#prefix}:{${tag}}`;
  }

  async #cmd(command: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await this.#c.call(command, ...args);
    } catch (err) {
      throw new StorageError(`A Redis command (${command}) failed; check the connection.`, {
        cause: err,
      });
    }
  }

  async #eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    const sha = sha1(script);
    try {
      return await this.#c.call('EVALSHA', sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) {
        throw new StorageError(
          'A Redis script failed; check the connection and Redis version (≥ 6).',
          { cause: err },
        );
      }
    }
    try {
      return await this.#c.call('EVAL', script, keys.length, ...keys, ...args);
    } catch (err) {
      throw new StorageError(
        'A Redis script failed; check the connection and Redis version (≥ 6).',
        { cause: err },
      );
    }
  }

  async now(): Promise<IsoDateTime> {
    const [sec, usec] = (await this.#cmd('TIME')) as [string, string];
    return isoFromTime(sec, usec);
  }

  /** RedisStorage holds no connections of its own; the client is yours to quit. */
  async close(): Promise<void> {}

  // --- tokens & sessions -----------------------------------------------------------------------

  #toToken(tokenId: string, flat: string[]): TokenRecord | null {
    if (flat.length === 0) return null;
    const out: Record<string, unknown> = { tokenId };
    for (let i = 0; i < flat.length; i += 2)
      out[flat[i] as string] = JSON.parse(flat[i + 1] as string);
    return out as unknown as TokenRecord;
  }

  protected async rawSaveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    const key = `${this.#base(tokenId)}:token`;
    const now = new Date().toISOString();
    const set: (string | number)[] = [];
    const del: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
      if (v === null) del.push(k);
      else set.push(k, JSON.stringify(toJson(v)));
    }
    const flat = (await this.#eval(
      `redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[1])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1])
local nset = tonumber(ARGV[2])
for i = 0, nset - 1 do redis.call('HSET', KEYS[1], ARGV[3 + i * 2], ARGV[4 + i * 2]) end
for i = 3 + nset * 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
return redis.call('HGETALL', KEYS[1])`,
      [key],
      [JSON.stringify(now), set.length / 2, ...set, ...del],
    )) as string[];
    await this.#cmd('ZADD', `${this.#prefix}:tokens`, 0, tokenId);
    return this.#toToken(tokenId, flat) as TokenRecord;
  }

  protected override async rawUpdateToken(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    const key = `${this.#base(tokenId)}:token`;
    const set: string[] = [];
    const del: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
      if (v === null) del.push(k);
      else set.push(k, JSON.stringify(toJson(v)));
    }
    const exp: string[] = [];
    for (const [k, v] of Object.entries(expect)) {
      exp.push(k, v === null || v === undefined ? '' : JSON.stringify(toJson(v)));
    }
    // Fields are stored as JSON.stringify of the value, so equal values compare as equal strings.
    const flat = (await this.#eval(
      `if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local nexp = tonumber(ARGV[2])
for i = 0, nexp - 1 do
  local have = redis.call('HGET', KEYS[1], ARGV[3 + i * 2]) or ''
  if have ~= ARGV[4 + i * 2] then return false end
end
local at = 3 + nexp * 2
local nset = tonumber(ARGV[at])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1])
for i = 0, nset - 1 do redis.call('HSET', KEYS[1], ARGV[at + 1 + i * 2], ARGV[at + 2 + i * 2]) end
for i = at + 1 + nset * 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
return redis.call('HGETALL', KEYS[1])`,
      [key],
      [
        JSON.stringify(new Date().toISOString()),
        exp.length / 2,
        ...exp,
        set.length / 2,
        ...set,
        ...del,
      ],
    )) as string[] | null;
    if (flat === null || flat === undefined) return null;
    return this.#toToken(tokenId, flat) as TokenRecord;
  }

  protected async rawGetToken(tokenId: string): Promise<TokenRecord | null> {
    return this.#toToken(
      tokenId,
      (await this.#cmd('HGETALL', `${this.#base(tokenId)}:token`)) as string[],
    );
  }

  protected async rawListTokens(query: TokenQuery): Promise<Page<TokenRecord>> {
    const limit = pageLimit(query);
    const items: TokenRecord[] = [];
    let from = query.cursor === undefined ? '-' : `(${query.cursor}`;
    for (;;) {
      const ids = (await this.#cmd(
        'ZRANGEBYLEX',
        `${this.#prefix}:tokens`,
        from,
        '+',
        'LIMIT',
        0,
        200,
      )) as string[];
      if (ids.length === 0) return { items, nextCursor: null };
      const docs = await Promise.all(ids.map((id) => this.rawGetToken(id)));
      for (const t of docs) {
        if (t === null) continue;
        if (query.customerId !== undefined && t.customerId !== query.customerId) continue;
        if (query.siteId !== undefined && t.siteId !== query.siteId) continue;
        if (items.length === limit) return { items, nextCursor: items.at(-1)?.tokenId ?? null };
        items.push(t);
      }
      from = `(${ids.at(-1) as string}`;
    }
  }

  async deleteToken(tokenId: string): Promise<boolean> {
    checkTokenId(tokenId);
    const b = this.#base(tokenId);
    // `indexed` holds every serial entered in the cross-token index, including those of a page
    // that failed after indexing; `all` covers data written before `indexed` existed.
    for (const index of ['indexed', 'all']) {
      let from = '-';
      for (;;) {
        const serials = (await this.#cmd(
          'ZRANGEBYLEX',
          `${b}:${index}`,
          from,
          '+',
          'LIMIT',
          0,
          1000,
        )) as string[];
        if (serials.length === 0) break;
        await Promise.all(
          serials.map((s) => this.#cmd('SREM', `${this.#prefix}:serial:${s}`, tokenId)),
        );
        from = `(${serials.at(-1) as string}`;
      }
    }
    const keys = [
      'token',
      'session',
      'lease',
      // 'leasegen' stays, so that lease generations never repeat for this token id.
      'cursor',
      'dev',
      'meta',
      'all',
      'indexed',
      'unres',
      'pend',
      'policy',
      'retry',
      'due',
      'runs',
      'runidx',
      ...DEVICE_STATUSES.map((s) => `st:${s}`),
    ].map((k) => `${b}:${k}`);
    const n = Number(await this.#cmd('DEL', ...keys));
    await this.#cmd('ZREM', `${this.#prefix}:tokens`, tokenId);
    return n > 0;
  }

  protected async rawPutSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    const expiresAt = checkIso(session.expiresAt, 'A session expiresAt');
    const key = `${this.#base(tokenId)}:session`;
    const ttl = Date.parse(expiresAt) - Date.parse(await this.now());
    if (ttl <= 0) {
      await this.#cmd('DEL', key);
      return;
    }
    const value: SessionRecord = {
      tokenId,
      sessionToken: session.sessionToken,
      expiresAt,
      updatedAt: new Date().toISOString(),
    };
    await this.#cmd('SET', key, JSON.stringify(value), 'PX', ttl);
  }

  protected async rawGetSession(tokenId: string): Promise<SessionRecord | null> {
    const raw = (await this.#cmd('GET', `${this.#base(tokenId)}:session`)) as string | null;
    if (raw === null) return null;
    const s = JSON.parse(raw) as SessionRecord;
    return Date.parse(s.expiresAt) > Date.now() ? s : null;
  }

  async deleteSession(tokenId: string): Promise<void> {
    checkTokenId(tokenId);
    await this.#cmd('DEL', `${this.#base(tokenId)}:session`);
  }

  // --- leases --------------------------------------------------------------------------------------

  async acquireLease(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    const b = this.#base(tokenId);
    const r = (await this.#eval(lua.ACQUIRE, [`${b}:lease`, `${b}:leasegen`], [owner, ttlMs])) as
      | [number, string, string]
      | null;
    if (r === null) return null;
    return { tokenId, owner, generation: Number(r[0]), expiresAt: isoFromTime(r[1], r[2], ttlMs) };
  }

  async renewLease(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    const r = (await this.#eval(
      lua.RENEW,
      [`${this.#base(tokenId)}:lease`],
      [`${generation}:${owner}`, ttlMs],
    )) as [string, string] | null;
    if (r === null) throw new LeaseLostError(tokenId);
    return { tokenId, owner, generation, expiresAt: isoFromTime(r[0], r[1], ttlMs) };
  }

  async releaseLease(tokenId: string, owner: string, generation: number): Promise<boolean> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner);
    const r = await this.#eval(
      lua.RELEASE,
      [`${this.#base(tokenId)}:lease`],
      [`${generation}:${owner}`],
    );
    return Number(r) === 1;
  }

  async getLease(tokenId: string): Promise<LeaseGrant | null> {
    checkTokenId(tokenId);
    const key = `${this.#base(tokenId)}:lease`;
    const [value, pttl, time] = await Promise.all([
      this.#cmd('GET', key),
      this.#cmd('PTTL', key),
      this.#cmd('TIME'),
    ]);
    if (typeof value !== 'string' || Number(pttl) <= 0) return null;
    const m = /^(\d+):(.*)$/s.exec(value);
    if (!m) return null;
    const [sec, usec] = time as [string, string];
    return {
      tokenId,
      owner: m[2] as string,
      generation: Number(m[1]),
      expiresAt: isoFromTime(sec, usec, Number(pttl)),
    };
  }

  // --- cursors -------------------------------------------------------------------------------------

  async getCursor(tokenId: string): Promise<CursorRecord | null> {
    checkTokenId(tokenId);
    const raw = (await this.#cmd('GET', `${this.#base(tokenId)}:cursor`)) as string | null;
    return raw === null ? null : (JSON.parse(raw) as CursorRecord);
  }

  /** Reads the stored cursor, checks the expected value, builds the next record. */
  async #nextCursor(
    input: SetCursorInput | ApplyPageInput,
    cursor: string | null,
  ): Promise<{ raw: string; next: CursorRecord }> {
    const raw =
      ((await this.#cmd('GET', `${this.#base(input.tokenId)}:cursor`)) as string | null) ?? '';
    const stored = raw === '' ? null : (JSON.parse(raw) as CursorRecord);
    if ((stored?.cursor ?? null) !== input.expectedCursor) {
      // The lease is checked first, as in the other adapters.
      const lease = await this.getLease(input.tokenId);
      if (
        lease?.generation !== input.generation ||
        (input.owner !== undefined && lease.owner !== input.owner)
      ) {
        throw new LeaseLostError(input.tokenId);
      }
      throw new CursorConflictError(input.tokenId);
    }
    const next: CursorRecord = {
      tokenId: input.tokenId,
      cursor,
      phase: input.phase,
      fullFetchId:
        input.fullFetchId === undefined ? (stored?.fullFetchId ?? null) : input.fullFetchId,
      lastFullFetchAt:
        input.lastFullFetchAt === undefined
          ? (stored?.lastFullFetchAt ?? null)
          : checkIso(input.lastFullFetchAt, 'lastFullFetchAt'),
      fetchedUntil:
        'fetchedUntil' in input && input.fetchedUntil !== undefined
          ? input.fetchedUntil
          : (stored?.fetchedUntil ?? null),
      updatedAt: new Date().toISOString(),
    };
    return { raw, next };
  }

  #fail(tokenId: string, code: unknown): never {
    if (code === 'LEASE' || code === -1) throw new LeaseLostError(tokenId);
    throw new CursorConflictError(tokenId);
  }

  async setCursor(input: SetCursorInput): Promise<CursorRecord> {
    checkTokenId(input.tokenId);
    const b = this.#base(input.tokenId);
    const { raw, next } = await this.#nextCursor(input, input.cursor);
    const r = await this.#eval(
      lua.SET_CURSOR,
      [`${b}:lease`, `${b}:cursor`],
      [fenceArg(input), raw, JSON.stringify(next)],
    );
    if (r !== 'OK') this.#fail(input.tokenId, r);
    return next;
  }

  async resetCursor(tokenId: string): Promise<void> {
    checkTokenId(tokenId);
    await this.#eval(
      lua.RESET_CURSOR,
      [`${this.#base(tokenId)}:cursor`],
      [new Date().toISOString()],
    );
  }

  // --- devices -------------------------------------------------------------------------------------

  async applyPage(input: ApplyPageInput): Promise<ApplyPageResult> {
    const tokenId = checkTokenId(input.tokenId);
    const b = this.#base(tokenId);
    const entries = collapsePage(input.devices).map((d) => toJson(d) as AdeDevice);
    const plans = pagePlans(input);
    const { raw, next } = await this.#nextCursor(input, input.nextCursor);
    // Deleted records keep the device's history: merge onto the stored JSON. Only applyPage writes
    // device JSON and it is serialised by the cursor compare-and-set, so this read is safe.
    const deleted = entries.filter((d) => d.op_type === 'deleted');
    const prevJson =
      deleted.length === 0
        ? []
        : ((await this.#cmd('HMGET', `${b}:dev`, ...deleted.map((d) => d.serial_number))) as (
            | string
            | null
          )[]);
    const merged = new Map<string, AdeDevice>();
    deleted.forEach((d, i) => {
      const prev = prevJson[i];
      if (prev) merged.set(d.serial_number, { ...(JSON.parse(prev) as AdeDevice), ...d });
    });
    if (entries.length > 0) {
      // Remember, per token, every serial put in the cross-token index (even when the page then
      // fails), so that deleteToken can take them all out of it again.
      await this.#cmd('ZADD', `${b}:indexed`, ...entries.flatMap((d) => [0, d.serial_number]));
      await Promise.all(
        entries.map((d) => this.#cmd('SADD', `${this.#prefix}:serial:${d.serial_number}`, tokenId)),
      );
    }
    await this.injectFault('applyPage', tokenId);
    const args: (string | number)[] = [
      b,
      fenceArg(input),
      raw,
      JSON.stringify(next),
      next.updatedAt,
      input.fullFetchId ?? '',
      entries.length,
    ];
    for (const d of entries) {
      const doc = merged.get(d.serial_number) ?? d;
      const ms = opDateMs(d);
      args.push(
        d.serial_number,
        JSON.stringify(doc),
        ms === null ? '' : String(ms),
        ms === null ? '' : new Date(ms).toISOString(),
        typeof d.op_type === 'string' ? d.op_type : '',
        typeof doc.profile_status === 'string' ? doc.profile_status : '',
        typeof doc.profile_uuid === 'string' ? doc.profile_uuid : '',
      );
      const plan = plans.get(d.serial_number);
      if (plan === undefined) args.push('', '', '', '', '');
      else {
        args.push(
          String(plan.planRevision),
          plan.resolvedProfileUuid ?? '',
          plan.unassignedReason ?? '',
          plan.assignedProfileUuid ?? '',
          plan.assignedAt ?? '',
        );
      }
    }
    const r = (await this.#eval(lua.APPLY_PAGE, [`${b}:lease`, `${b}:cursor`], args)) as [
      string,
      string[]?,
    ];
    if (r[0] !== 'OK') this.#fail(tokenId, r[0]);
    const result: ApplyPageResult = {
      added: [],
      modified: [],
      removed: [],
      skipped: [],
      cursor: next,
    };
    const kinds = {
      a: result.added,
      m: result.modified,
      r: result.removed,
      s: result.skipped,
    } as const;
    (r[1] ?? []).forEach((k, i) => {
      const list = kinds[k as keyof typeof kinds];
      if (list) list.push((entries[i] as AdeDevice).serial_number);
    });
    return result;
  }

  #toDevice(tokenId: string, serial: string, dev: string, metaRaw: string): DeviceRecord {
    const m = JSON.parse(metaRaw) as Meta;
    return {
      tokenId,
      serialNumber: serial,
      device: JSON.parse(dev) as AdeDevice,
      opDate: m.od ?? null,
      opType: m.ot ?? null,
      status: m.st,
      removed: m.rm === true,
      removedAt: m.rma ?? null,
      resolvedProfileUuid: m.rs ?? null,
      unassignedReason: m.rr ?? null,
      planRevision: m.pl === undefined ? null : Number(m.pl),
      assignedProfileUuid: m.as ?? null,
      assignedAt: m.asa ?? null,
      enrolledAt: m.en ?? null,
      profileServedAt: m.sv ?? null,
      fullFetchId: m.ff ?? null,
      firstSeenAt: m.fs,
      updatedAt: m.up,
    };
  }

  async #load(tokenId: string, serials: readonly string[]): Promise<DeviceRecord[]> {
    if (serials.length === 0) return [];
    const b = this.#base(tokenId);
    const [devs, metas] = (await Promise.all([
      this.#cmd('HMGET', `${b}:dev`, ...serials),
      this.#cmd('HMGET', `${b}:meta`, ...serials),
    ])) as [(string | null)[], (string | null)[]];
    const out: DeviceRecord[] = [];
    serials.forEach((s, i) => {
      const d = devs[i];
      const m = metas[i];
      if (d && m) out.push(this.#toDevice(tokenId, s, d, m));
    });
    return out;
  }

  async getDevice(tokenId: string, serialNumber: string): Promise<DeviceRecord | null> {
    checkTokenId(tokenId);
    checkSerial(serialNumber);
    return (await this.#load(tokenId, [serialNumber]))[0] ?? null;
  }

  async getDevices(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]> {
    checkTokenId(tokenId);
    return this.#load(tokenId, [...new Set(serialNumbers)]);
  }

  async listDevices(tokenId: string, query: DeviceQuery = {}): Promise<Page<DeviceRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const b = this.#base(tokenId);
    const statuses =
      query.status === undefined
        ? null
        : new Set<DeviceStatus>(typeof query.status === 'string' ? [query.status] : query.status);
    let index = `${b}:all`;
    if (statuses?.size === 1) index = `${b}:st:${[...statuses][0] as string}`;
    else if (query.unresolved === true) index = `${b}:unres`;
    else if (query.pendingAssignment === true) index = `${b}:pend`;
    const items: DeviceRecord[] = [];
    let from = query.cursor === undefined ? '-' : `(${query.cursor}`;
    const chunk = Math.min(Math.max(limit + 1, 100), 2000);
    for (;;) {
      const serials = (await this.#cmd(
        'ZRANGEBYLEX',
        index,
        from,
        '+',
        'LIMIT',
        0,
        chunk,
      )) as string[];
      if (serials.length === 0) return { items, nextCursor: null };
      const records = await this.#load(tokenId, serials);
      const retried =
        query.pendingAssignment === true
          ? ((await this.#cmd('HMGET', `${b}:retry`, ...serials)) as (string | null)[])
          : [];
      const inRetry = new Set(serials.filter((_, i) => retried[i]));
      for (const d of records) {
        if (
          statuses !== null ? !statuses.has(d.status) : d.removed && query.includeRemoved !== true
        )
          continue;
        if (query.unresolved === true && (d.removed || d.resolvedProfileUuid !== null)) continue;
        if (
          query.pendingAssignment === true &&
          (!awaitsAssignment(d) || inRetry.has(d.serialNumber))
        )
          continue;
        if (
          query.planRevisionNot !== undefined &&
          (d.removed || d.planRevision === query.planRevisionNot)
        )
          continue;
        if (items.length === limit)
          return { items, nextCursor: items.at(-1)?.serialNumber ?? null };
        items.push(d);
      }
      if (serials.length < chunk) return { items, nextCursor: null };
      from = `(${serials.at(-1) as string}`;
    }
  }

  async countDevices(tokenId: string): Promise<Record<DeviceStatus, number>> {
    checkTokenId(tokenId);
    const b = this.#base(tokenId);
    const counts = await Promise.all(
      DEVICE_STATUSES.map((s) => this.#cmd('ZCARD', `${b}:st:${s}`)),
    );
    return Object.fromEntries(DEVICE_STATUSES.map((s, i) => [s, Number(counts[i])])) as Record<
      DeviceStatus,
      number
    >;
  }

  async findDeviceBySerial(serialNumber: string): Promise<DeviceRecord[]> {
    checkSerial(serialNumber);
    const tokens = (await this.#cmd(
      'SMEMBERS',
      `${this.#prefix}:serial:${serialNumber}`,
    )) as string[];
    const found = (await Promise.all(tokens.map((t) => this.#load(t, [serialNumber])))).flat();
    return found.sort(
      (a, b) => Number(a.removed) - Number(b.removed) || (a.updatedAt < b.updatedAt ? 1 : -1),
    );
  }

  async updateDevices(
    tokenId: string,
    patches: readonly DevicePatch[],
    fence?: LeaseFence,
  ): Promise<number> {
    checkTokenId(tokenId);
    checkDevicePatches(patches);
    const b = this.#base(tokenId);
    const byserial = new Map<string, DevicePatch>();
    for (const p of patches) {
      // Field by field: a field present but `undefined` in a later patch changes nothing.
      const m: Record<string, unknown> = { ...byserial.get(p.serialNumber) };
      for (const [k, v] of Object.entries(p)) if (v !== undefined) m[k] = v;
      byserial.set(p.serialNumber, m as unknown as DevicePatch);
    }
    const args: (string | number)[] = [
      b,
      fence === undefined ? '' : fenceArg(fence),
      new Date().toISOString(),
      byserial.size,
    ];
    const pair = (v: unknown): [string, string] =>
      v === undefined ? ['0', ''] : ['1', v === null ? '' : String(v)];
    for (const p of byserial.values()) {
      args.push(
        p.serialNumber,
        ...pair(p.resolvedProfileUuid),
        ...pair(p.unassignedReason),
        ...pair(p.planRevision),
        ...pair(p.assignedProfileUuid),
        ...pair(
          p.assignedAt === undefined || p.assignedAt === null
            ? p.assignedAt
            : checkIso(p.assignedAt, 'assignedAt'),
        ),
        ...pair(
          p.enrolledAt === undefined || p.enrolledAt === null
            ? p.enrolledAt
            : checkIso(p.enrolledAt, 'enrolledAt'),
        ),
        ...pair(
          p.profileServedAt === undefined || p.profileServedAt === null
            ? p.profileServedAt
            : checkIso(p.profileServedAt, 'profileServedAt'),
        ),
      );
    }
    const r = Number(await this.#eval(lua.UPDATE_DEVICES, [`${b}:lease`], args));
    if (r < 0) throw new LeaseLostError(tokenId);
    return r;
  }

  async markMissingRemoved(input: MarkMissingInput): Promise<string[]> {
    checkTokenId(input.tokenId);
    const b = this.#base(input.tokenId);
    const now = new Date().toISOString();
    const out: string[] = [];
    let from = '-';
    let checked = false;
    for (;;) {
      const serials = (await this.#cmd(
        'ZRANGEBYLEX',
        `${b}:all`,
        from,
        '+',
        'LIMIT',
        0,
        1000,
      )) as string[];
      if (serials.length === 0 && checked) break;
      const r = await this.#eval(
        lua.MARK_MISSING,
        [`${b}:lease`],
        [b, fenceArg(input), input.fullFetchId, now, ...serials],
      );
      if (r === -1) throw new LeaseLostError(input.tokenId);
      checked = true;
      out.push(...(r as string[]));
      if (serials.length === 0) break;
      from = `(${serials.at(-1) as string}`;
    }
    return out.sort();
  }

  // --- policy --------------------------------------------------------------------------------------

  async getPolicy(tokenId: string): Promise<PolicyRecord | null> {
    checkTokenId(tokenId);
    const [policy, revision, updatedAt] = (await this.#cmd(
      'HMGET',
      `${this.#base(tokenId)}:policy`,
      'policy',
      'revision',
      'updatedAt',
    )) as (string | null)[];
    if (!policy) return null;
    return {
      tokenId,
      policy: JSON.parse(policy) as unknown,
      revision: Number(revision),
      updatedAt: String(updatedAt),
    };
  }

  async setPolicy(tokenId: string, policy: unknown): Promise<PolicyRecord> {
    checkTokenId(tokenId);
    const json = JSON.stringify(toJson(policy));
    const key = `${this.#base(tokenId)}:policy`;
    const updatedAt = new Date().toISOString();
    const r = (await this.#eval(
      "local r = redis.call('HINCRBY', KEYS[1], 'revision', 1) redis.call('HSET', KEYS[1], 'policy', ARGV[1], 'updatedAt', ARGV[2]) return r",
      [key],
      [json, updatedAt],
    )) as number;
    return { tokenId, policy: JSON.parse(json) as unknown, revision: Number(r), updatedAt };
  }

  // --- assignments ----------------------------------------------------------------------------------

  async recordAssignmentResults(
    tokenId: string,
    results: readonly AssignmentResultInput[],
    fence?: LeaseFence,
  ): Promise<void> {
    checkTokenId(tokenId);
    const normalised = results.map(normaliseResult);
    const b = this.#base(tokenId);
    const now = new Date().toISOString();
    const plans = planAssignmentResults(normalised, now);
    const args: (string | number)[] = [
      b,
      fence === undefined ? '' : fenceArg(fence),
      now,
      plans.length,
    ];
    for (const p of plans) {
      args.push(
        p.serial,
        p.success ? '1' : '0',
        p.success?.profileUuid ?? '',
        p.success?.at ?? '',
        p.retry ? '1' : '0',
        p.retry?.profileUuid ?? '',
        p.retry?.status ?? '',
        p.retry?.nextAttemptAt ? String(Date.parse(p.retry.nextAttemptAt)) : '',
        JSON.stringify({
          nextAttemptAt: p.retry?.nextAttemptAt ?? null,
          lastError: p.retry?.lastError ?? null,
          inc: p.retry?.increment ?? 0,
          reset: p.retry?.reset ?? false,
        }),
      );
    }
    const r = Number(await this.#eval(lua.RECORD_RESULTS, [`${b}:lease`], args));
    if (r < 0) throw new LeaseLostError(tokenId);
  }

  #toRetry(tokenId: string, raw: string): AssignmentRetryRecord {
    const r = JSON.parse(raw) as AssignmentRetryRecord;
    return {
      tokenId,
      serialNumber: r.serialNumber,
      profileUuid: r.profileUuid,
      status: r.status,
      attempts: Number(r.attempts),
      nextAttemptAt: r.nextAttemptAt ?? null,
      lastError: r.lastError ?? null,
      updatedAt: r.updatedAt,
    };
  }

  async listDueRetries(
    tokenId: string,
    query: PageQuery & { now?: IsoDateTime | undefined } = {},
  ): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const b = this.#base(tokenId);
    const after = query.cursor === undefined ? null : decodeRetryCursor(query.cursor);
    const now = query.now === undefined ? await this.now() : checkIso(query.now, 'now');
    const min = after === null ? '-inf' : String(Date.parse(after[0] as string));
    const flat = (await this.#cmd(
      'ZRANGEBYSCORE',
      `${b}:due`,
      min,
      String(Date.parse(now)),
    )) as string[];
    const candidates = flat;
    const raws =
      candidates.length === 0
        ? []
        : ((await this.#cmd('HMGET', `${b}:retry`, ...candidates)) as (string | null)[]);
    const all = raws
      .filter((r): r is string => r !== null)
      .map((r) => this.#toRetry(tokenId, r))
      .filter((r) => r.nextAttemptAt !== null && r.nextAttemptAt <= now)
      .filter(
        (r) =>
          after === null ||
          (r.nextAttemptAt as string) > (after[0] as string) ||
          (r.nextAttemptAt === after[0] && r.serialNumber > (after[1] as string)),
      )
      .sort((x, y) =>
        x.nextAttemptAt === y.nextAttemptAt
          ? x.serialNumber < y.serialNumber
            ? -1
            : 1
          : (x.nextAttemptAt as string) < (y.nextAttemptAt as string)
            ? -1
            : 1,
      );
    const items = all.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        all.length > limit && last
          ? encodeCursor([last.nextAttemptAt as string, last.serialNumber])
          : null,
    };
  }

  async listRetries(tokenId: string, query: RetryQuery = {}): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const flat = (await this.#cmd('HGETALL', `${this.#base(tokenId)}:retry`)) as string[];
    const all: AssignmentRetryRecord[] = [];
    for (let i = 1; i < flat.length; i += 2) all.push(this.#toRetry(tokenId, flat[i] as string));
    const filtered = all
      .filter(
        (r) =>
          (query.status === undefined || r.status === query.status) &&
          (query.cursor === undefined || r.serialNumber > query.cursor),
      )
      .sort((a, b) => (a.serialNumber < b.serialNumber ? -1 : 1));
    const items = filtered.slice(0, limit);
    return {
      items,
      nextCursor: filtered.length > limit ? (items.at(-1)?.serialNumber ?? null) : null,
    };
  }

  async deleteRetries(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    checkTokenId(tokenId);
    const unique = [...new Set(serialNumbers)];
    if (unique.length === 0) return 0;
    const b = this.#base(tokenId);
    const n = Number(
      await this.#eval(
        "local n = redis.call('HDEL', KEYS[1], unpack(ARGV)) redis.call('ZREM', KEYS[2], unpack(ARGV)) return n",
        [`${b}:retry`, `${b}:due`],
        unique,
      ),
    );
    return n;
  }

  // --- sync runs -----------------------------------------------------------------------------------

  async startSyncRun(
    tokenId: string,
    input: { owner?: string | undefined } = {},
  ): Promise<SyncRunRecord> {
    checkTokenId(tokenId);
    const b = this.#base(tokenId);
    const now = Date.now();
    const run: SyncRunRecord = {
      runId: newRunId(now),
      tokenId,
      owner: input.owner ?? null,
      status: 'running',
      startedAt: new Date(now).toISOString(),
      finishedAt: null,
      report: null,
      error: null,
    };
    await this.#eval(
      "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('ZADD', KEYS[2], 0, ARGV[1]) return 1",
      [`${b}:runs`, `${b}:runidx`],
      [run.runId, JSON.stringify(run)],
    );
    return run;
  }

  async finishSyncRun(
    tokenId: string,
    runId: string,
    result: {
      status: Exclude<SyncRunStatus, 'running'>;
      report?: Readonly<Record<string, unknown>> | undefined;
      error?: { code: string; message: string } | undefined;
    },
  ): Promise<SyncRunRecord | null> {
    checkTokenId(tokenId);
    const key = `${this.#base(tokenId)}:runs`;
    const raw = (await this.#cmd('HGET', key, runId)) as string | null;
    if (raw === null) return null;
    const run: SyncRunRecord = {
      ...(JSON.parse(raw) as SyncRunRecord),
      status: result.status,
      finishedAt: new Date().toISOString(),
      report:
        result.report === undefined ? null : (toJson(result.report) as Record<string, unknown>),
      error:
        result.error === undefined
          ? null
          : { code: result.error.code, message: result.error.message },
    };
    await this.#cmd('HSET', key, runId, JSON.stringify(run));
    return run;
  }

  async listSyncRuns(tokenId: string, query: PageQuery = {}): Promise<Page<SyncRunRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const b = this.#base(tokenId);
    const ids = (await this.#cmd(
      'ZREVRANGEBYLEX',
      `${b}:runidx`,
      query.cursor === undefined ? '+' : `(${query.cursor}`,
      '-',
      'LIMIT',
      0,
      limit + 1,
    )) as string[];
    const page = ids.slice(0, limit);
    const raws =
      page.length === 0
        ? []
        : ((await this.#cmd('HMGET', `${b}:runs`, ...page)) as (string | null)[]);
    const items = raws
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as SyncRunRecord);
    return { items, nextCursor: ids.length > limit ? (page.at(-1) ?? null) : null };
  }

  async pruneSyncRuns(tokenId: string, keep: number): Promise<number> {
    checkTokenId(tokenId);
    if (!Number.isInteger(keep) || keep < 0)
      throw new InvalidArgumentError('`keep` must be a non-negative integer.');
    const b = this.#base(tokenId);
    const old = (await this.#cmd('ZRANGE', `${b}:runidx`, 0, -(keep + 1))) as string[];
    if (old.length === 0) return 0;
    await this.#eval(
      "redis.call('HDEL', KEYS[1], unpack(ARGV)) redis.call('ZREM', KEYS[2], unpack(ARGV)) return 1",
      [`${b}:runs`, `${b}:runidx`],
      old,
    );
    return old.length;
  }
}

/** The fence as the Lua scripts check it: `generation`, or `generation:owner` when the owner is given. */
function fenceArg(fence: LeaseFence): string {
  return fence.owner === undefined
    ? String(fence.generation)
    : `${fence.generation}:${fence.owner}`;
}
