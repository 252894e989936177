import { isAbmError } from '../errors/guards.js';
import { InvalidArgumentError } from '../errors/input-errors.js';
import type { AbmManager } from '../manager/abm-manager.js';
import type { SaveApiAccountInput } from '../manager/business-api.js';
import type { OsDefaults, ProfilePolicy } from '../profiles/policy-types.js';
import { profilePreset } from '../profiles/profile-preset.js';
import type { AbmStorage, DeviceRecord, DeviceStatus } from '../storage/types.js';
import { assignDevicesToServer } from './assign-devices.js';
import { DEVICE_STATUS_FILTERS, type DeviceView, deviceView } from './device-view.js';
import { runDoctor } from './doctor.js';
import { errorResponse, HttpError, json, readBody, readJson } from './http.js';
import { WizardKeyPairs } from './keypairs.js';
import { adminOpenApi } from './openapi.js';
import { ROUTES, type RouteSpec } from './routes.js';
import {
  accountIdSchema,
  createTokenBody,
  defineProfileBody,
  osDefaultsBody,
  policyBody,
  saveApiAccountBody,
  tokenIdSchema,
} from './schemas.js';
import { type SyncState, SyncTracker } from './sync-tracker.js';
import { tokenView } from './token-view.js';

/**
 * Decides whether a request may go on. Return `true` to allow, `false` to answer 403, or a
 * `Response` of your own (e.g. a 401 with `WWW-Authenticate`). It sees every request.
 */
export type AdminAuthorize = (request: Request) => boolean | Response | Promise<boolean | Response>;

/** Options of {@link createAdminHandler}. `authorize` is required. */
export interface AdminHandlerOptions {
  /** Called for every request before anything else; the handler refuses to start without it. */
  authorize: AdminAuthorize;
  /**
   * The path the handler is mounted under (e.g. `/admin/abm`); stripped before routing.
   * @default ''
   */
  basePath?: string | undefined;
  /** Largest server-token upload accepted, in bytes. @default 65_536 */
  uploadLimitBytes?: number | undefined;
  /** Largest JSON or CSV body accepted, in bytes. @default 1_048_576 */
  bodyLimitBytes?: number | undefined;
  /**
   * The manager's storage. With it the token wizard finds a pending key pair's certificate after a
   * restart too (reloading the wizard never replaces a pair already uploaded to ABM); without it
   * only within this process.
   */
  storage?: AbmStorage | undefined;
  /** The ADE base URL, shown by doctor's network findings. */
  baseUrl?: string | undefined;
}

/** A web-standard request handler over an `AbmManager`, from {@link createAdminHandler}. */
export interface AdminHandler {
  /** Answers one request. */
  (request: Request): Promise<Response>;
  /** Stops following the manager's sync events and ends open event streams. */
  close(): void;
}

const STATUSES = DEVICE_STATUS_FILTERS;

interface Ctx {
  request: Request;
  url: URL;
  /** The path's `{tokenId}`. */
  tokenId: string;
  /** The path's `{accountId}`. */
  accountId: string;
}

type Impl = (ctx: Ctx) => Promise<Response>;

function compile(path: string): RegExp {
  return new RegExp(`^${path.replace(/\{(tokenId|accountId)\}/g, '([^/]+)')}$`);
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new HttpError(422, 'INVALID_ARGUMENT', `${name} must be an integer from 1 to ${max}.`);
  }
  return n;
}

/**
 * Creates the admin HTTP handler an MDM mounts under its own auth: key pair generation and
 * certificate download, server-token upload (size-limited, idempotent wizard), tokens with health,
 * Sync Now with progress (polling or Server-Sent Events), devices with status and profile, the
 * Unassigned list with reasons, per-OS defaults and group/device policy, CSV assignment and
 * doctor. JSON in and out, validated with zod; `GET /openapi.json` describes every route.
 *
 * @example
 * ```ts
 * const admin = createAdminHandler(manager, {
 *   authorize: (req) => req.headers.get('authorization') === `Bearer ${process.env.ADMIN_TOKEN}`,
 *   basePath: '/admin/abm',
 * });
 * http.createServer(toNodeHandler(admin)).listen(8080);
 * ```
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) without an `authorize` function.
 */
export function createAdminHandler(
  manager: AbmManager,
  options: AdminHandlerOptions,
): AdminHandler {
  if (typeof options?.authorize !== 'function') {
    throw new InvalidArgumentError(
      'createAdminHandler needs options.authorize(request) => boolean: the admin API changes tokens and assignments, so it never runs without your authorization check.',
    );
  }
  if (manager === null || typeof manager !== 'object' || typeof manager.health !== 'function') {
    throw new InvalidArgumentError('createAdminHandler needs an AbmManager as its first argument.');
  }
  const authorize = options.authorize;
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const uploadLimit = options.uploadLimitBytes ?? 65_536;
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const tracker = new SyncTracker(manager);
  const keyPairs = new WizardKeyPairs(manager, options.storage);
  const closing = new AbortController();
  let openapi: Record<string, unknown> | undefined;

  const health = async (tokenId: string) => tokenView(await manager.health(tokenId));
  const policyView = async (tokenId: string) => {
    await manager.health(tokenId);
    const record = await manager.getPolicy(tokenId);
    return {
      tokenId,
      policy: (record?.policy ?? {}) as ProfilePolicy,
      revision: record?.revision ?? null,
    };
  };

  const impls: Record<string, Impl> = {
    openapi: async () => {
      openapi ??= adminOpenApi();
      return json(openapi);
    },
    listTokens: async ({ url }) => {
      const customerId = url.searchParams.get('customerId') ?? undefined;
      const siteId = url.searchParams.get('siteId') ?? undefined;
      const tokens = await manager.listTokens({ customerId, siteId });
      return json(await Promise.all(tokens.map((t) => health(t.tokenId))));
    },
    createKeyPair: async ({ request }) => {
      const body = await readJson(request, createTokenBody, bodyLimit);
      const { created, certificatePem } = await keyPairs.ensure(body);
      return json(
        {
          tokenId: body.tokenId,
          created,
          certificatePem,
          certificateUrl: `${basePath}/tokens/${encodeURIComponent(body.tokenId)}/certificate`,
        },
        created ? 201 : 200,
      );
    },
    getToken: async ({ tokenId }) => json(await health(tokenId)),
    downloadCertificate: async ({ tokenId }) => {
      await manager.health(tokenId);
      const pem = await keyPairs.certificate(tokenId);
      if (pem === null) {
        throw new HttpError(
          404,
          'CERTIFICATE_NOT_FOUND',
          `Token "${tokenId}" has no certificate in this process; POST /tokens with "renew": true to make a key pair.`,
        );
      }
      return new Response(pem, {
        headers: {
          'content-type': 'application/x-pem-file',
          'content-disposition': `attachment; filename="${tokenId.replace(/[^A-Za-z0-9._-]/g, '_')}-public-key.pem"`,
          'cache-control': 'no-store',
        },
      });
    },
    uploadServerToken: async ({ request, tokenId }) => {
      const bytes = await readBody(request, uploadLimit);
      if (bytes.byteLength === 0) {
        throw new HttpError(
          422,
          'INVALID_ARGUMENT',
          'The upload is empty: send the .p7m file downloaded from ABM.',
        );
      }
      return json(tokenView(await manager.uploadServerToken(tokenId, bytes)));
    },
    syncNow: async ({ tokenId }) => {
      await manager.health(tokenId);
      return json(tracker.start(tokenId), 202);
    },
    syncState: async ({ tokenId }) => json(tracker.state(tokenId)),
    syncEvents: async ({ tokenId, request }) => {
      await manager.health(tokenId);
      return sse(tracker, tokenId, [request.signal, closing.signal]);
    },
    listDevices: async ({ tokenId, url }) => {
      const status = url.searchParams.get('status');
      if (status !== null && !STATUSES.includes(status as DeviceStatus)) {
        throw new HttpError(
          422,
          'INVALID_ARGUMENT',
          `status must be one of ${STATUSES.join(', ')}.`,
        );
      }
      const os = url.searchParams.get('os')?.toLowerCase() || undefined;
      const q = url.searchParams.get('q')?.trim().toLowerCase() || undefined;
      const limit = intParam(url, 'limit', 100, 500);
      const match = (d: DeviceView) =>
        (os === undefined || d.os?.toLowerCase() === os) &&
        (q === undefined ||
          [d.serialNumber, d.model, d.description, d.assetTag].some((v) =>
            v?.toLowerCase().includes(q),
          ));
      return json(
        await scan(
          manager,
          tokenId,
          url.searchParams.get('cursor') ?? undefined,
          limit,
          match,
          {
            status:
              status === null ? STATUSES.filter((x) => x !== 'removed') : (status as DeviceStatus),
          },
          os !== undefined || q !== undefined,
        ),
      );
    },
    listUnassigned: async ({ tokenId, url }) => {
      await manager.health(tokenId);
      const page = await manager.listDevices(tokenId, {
        status: 'unassigned',
        limit: intParam(url, 'limit', 100, 500),
        ...(url.searchParams.get('cursor') === null
          ? {}
          : { cursor: url.searchParams.get('cursor')! }),
      });
      const items = page.items.map(deviceView);
      const counts = new Map<string, number>();
      for (const d of items) {
        const reason = d.unassignedReason ?? 'Not planned yet: the next sync resolves it.';
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
      }
      return json({
        items,
        nextCursor: page.nextCursor,
        reasons: [...counts].map(([reason, count]) => ({ reason, count })),
      });
    },
    getPolicy: async ({ tokenId }) => json(await policyView(tokenId)),
    setPolicy: async ({ tokenId, request }) => {
      const body = await readJson(request, policyBody, bodyLimit);
      await manager.setPolicy(tokenId, body as ProfilePolicy);
      return json(await policyView(tokenId));
    },
    setOsDefaults: async ({ tokenId, request }) => {
      const body = await readJson(request, osDefaultsBody, bodyLimit);
      const current = (await policyView(tokenId)).policy;
      const osDefaults: Record<string, string> = { ...(current.osDefaults ?? {}) } as Record<
        string,
        string
      >;
      for (const [os, uuid] of Object.entries(body)) {
        if (uuid === null) delete osDefaults[os];
        else if (typeof uuid === 'string') osDefaults[os] = uuid;
      }
      await manager.setPolicy(tokenId, { ...current, osDefaults: osDefaults as OsDefaults });
      return json(await policyView(tokenId));
    },
    defineProfile: async ({ tokenId, request }) => {
      const body = await readJson(request, defineProfileBody, bodyLimit);
      const client = await manager.client(tokenId);
      const { profile_uuid: profileUuid } = await client.defineProfile(
        profilePreset(body.kind ?? 'automated', { name: body.name, url: body.url }),
      );
      const current = (await policyView(tokenId)).policy;
      const osDefaults = { ...(current.osDefaults ?? {}) } as Record<string, string>;
      for (const os of body.defaultFor ?? []) osDefaults[os] = profileUuid;
      if ((body.defaultFor ?? []).length > 0) {
        await manager.setPolicy(tokenId, { ...current, osDefaults: osDefaults as OsDefaults });
      }
      return json({ profileUuid, osDefaults }, 201);
    },
    assignCsv: async ({ tokenId, request }) => {
      await manager.health(tokenId);
      const csv = await readBody(request, bodyLimit);
      try {
        return json(
          await assignDevicesToServer(
            manager,
            tokenId,
            csv,
            'store it with PUT /api-accounts/{accountId} (same customerId)',
          ),
        );
      } catch (error) {
        if (isAbmError(error, 'NOT_FOUND') && /No Apple Business API account/.test(error.message))
          throw new HttpError(409, 'API_ACCOUNT_MISSING', error.message);
        throw error;
      }
    },
    devicesMissing: async ({ tokenId, url }) => {
      await manager.health(tokenId);
      const limit = intParam(url, 'limit', 500, 5000);
      const items = [];
      const stop = new AbortController();
      let truncated = false;
      for await (const d of manager.listOrgDevices(tokenId, { signal: stop.signal })) {
        if (items.length === limit) {
          truncated = true;
          break;
        }
        items.push(d);
      }
      stop.abort();
      return json({ items, truncated });
    },
    listApiAccounts: async ({ url }) => {
      const customerId = url.searchParams.get('customerId') ?? undefined;
      const siteId = url.searchParams.get('siteId') ?? undefined;
      return json(await manager.listApiAccounts({ customerId, siteId }));
    },
    apiAccountHealth: async ({ accountId }) => {
      try {
        return json(await manager.apiAccountHealth(accountId));
      } catch (error) {
        if (isAbmError(error, 'NOT_FOUND'))
          throw new HttpError(404, 'API_ACCOUNT_NOT_FOUND', error.message);
        throw error;
      }
    },
    saveApiAccount: async ({ accountId, request }) => {
      const body = await readJson(request, saveApiAccountBody, bodyLimit);
      return json(await manager.saveApiAccount(accountId, body as SaveApiAccountInput));
    },
    doctor: async ({ url }) =>
      json(
        await runDoctor(manager, {
          probe: url.searchParams.get('probe') !== 'false',
          baseUrl: options.baseUrl,
        }),
      ),
    doctorToken: async ({ url, tokenId }) => {
      await manager.health(tokenId);
      return json(
        await runDoctor(manager, {
          tokenId,
          probe: url.searchParams.get('probe') !== 'false',
          baseUrl: options.baseUrl,
          serial: url.searchParams.get('serial') ?? undefined,
        }),
      );
    },
  };

  const table = ROUTES.map((route: RouteSpec) => ({
    route,
    pattern: compile(route.path),
    impl: impls[route.id]!,
  }));

  const handler = async (request: Request): Promise<Response> => {
    try {
      const verdict = await authorize(request);
      if (verdict instanceof Response) return verdict;
      if (verdict !== true) {
        return json(
          { error: { code: 'FORBIDDEN', message: 'Not authorized for the abmkit admin API.' } },
          403,
        );
      }
    } catch {
      return json(
        { error: { code: 'FORBIDDEN', message: 'Not authorized for the abmkit admin API.' } },
        403,
      );
    }
    try {
      const url = new URL(request.url);
      let path = url.pathname;
      if (basePath !== '') {
        if (path !== basePath && !path.startsWith(`${basePath}/`)) throw notFound();
        path = path.slice(basePath.length) || '/';
      }
      let methodMismatch = false;
      for (const { route, pattern, impl } of table) {
        const m = pattern.exec(path);
        if (m === null) continue;
        if (route.method !== request.method) {
          methodMismatch = true;
          continue;
        }
        let param = '';
        if (m[1] !== undefined) {
          const isAccount = route.path.includes('{accountId}');
          const what = isAccount ? 'API account id' : 'token id';
          let decoded: string;
          try {
            decoded = decodeURIComponent(m[1]);
          } catch {
            throw new HttpError(
              400,
              'INVALID_ARGUMENT',
              `The ${what} in the path is not valid URL encoding.`,
            );
          }
          const parsed = (isAccount ? accountIdSchema : tokenIdSchema).safeParse(decoded);
          if (!parsed.success) {
            throw new HttpError(
              422,
              'INVALID_ARGUMENT',
              `The ${what} must be letters, digits, . _ : - (at most 128).`,
            );
          }
          param = parsed.data;
        }
        const response = await impl({ request, url, tokenId: param, accountId: param });
        if (route.status !== undefined && response.status === 200 && route.id !== 'createKeyPair') {
          return new Response(response.body, { status: route.status, headers: response.headers });
        }
        return response;
      }
      if (methodMismatch) {
        throw new HttpError(
          405,
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${path}.`,
        );
      }
      throw notFound();
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(handler, {
    close(): void {
      closing.abort();
      tracker.close();
    },
  });
}

function notFound(): HttpError {
  return new HttpError(
    404,
    'ROUTE_NOT_FOUND',
    'No such admin route; GET /openapi.json lists them.',
  );
}

async function scan(
  manager: AbmManager,
  tokenId: string,
  cursor: string | undefined,
  limit: number,
  match: (d: DeviceView) => boolean,
  filter: { status: DeviceStatus | DeviceStatus[] },
  filtered: boolean,
): Promise<{ items: DeviceView[]; nextCursor: string | null }> {
  await manager.health(tokenId);
  if (!filtered) {
    // No OS or search filter: one storage page is the answer.
    const page = await manager.listDevices(tokenId, {
      status: filter.status,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    return { items: page.items.map(deviceView), nextCursor: page.nextCursor };
  }
  const items: DeviceView[] = [];
  let next: string | null = cursor ?? null;
  let scanned = 0;
  // Bounded: at most 20 storage pages per request; the cursor continues the scan.
  for (let round = 0; round < 20; round++) {
    const page = await manager.listDevices(tokenId, {
      status: filter.status,
      limit: 500,
      ...(next === null ? {} : { cursor: next }),
    });
    for (const [i, record] of page.items.entries()) {
      const view = deviceView(record as DeviceRecord);
      if (!match(view)) continue;
      items.push(view);
      if (items.length === limit) {
        const rest = i < page.items.length - 1;
        return {
          items,
          nextCursor: rest ? await cursorAfter(manager, tokenId, filter, next, i) : page.nextCursor,
        };
      }
    }
    scanned += page.items.length;
    next = page.nextCursor;
    if (next === null) break;
  }
  void scanned;
  return { items, nextCursor: next };
}

/** A cursor that resumes right after the `index`-th item of the page read from `from`. */
async function cursorAfter(
  manager: AbmManager,
  tokenId: string,
  filter: { status: DeviceStatus | DeviceStatus[] },
  from: string | null,
  index: number,
): Promise<string | null> {
  const page = await manager.listDevices(tokenId, {
    status: filter.status,
    limit: index + 1,
    ...(from === null ? {} : { cursor: from }),
  });
  return page.nextCursor;
}

function sse(tracker: SyncTracker, tokenId: string, signals: AbortSignal[]): Response {
  const encoder = new TextEncoder();
  let unsubscribe = (): void => undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the reader
        }
      };
      const send = (state: SyncState): void => {
        if (closed) return;
        controller.enqueue(encoder.encode(`event: state\ndata: ${JSON.stringify(state)}\n\n`));
        if (!state.running) close();
      };
      unsubscribe = tracker.subscribe(tokenId, send);
      for (const signal of signals) {
        if (signal.aborted) close();
        else signal.addEventListener('abort', close, { once: true });
      }
      controller.enqueue(encoder.encode('retry: 2000\n\n'));
      send(tracker.state(tokenId));
    },
    cancel() {
      unsubscribe();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    },
  });
}
