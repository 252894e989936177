/**
 * The REST endpoints under `/v1/`.
 *
 * @internal
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { isActivityType, SIM_MAX_ACTIVITY_DEVICES } from './activities.js';
import {
  deviceAttributes,
  pick,
  type RestAnswer,
  restError,
  serverAttributes,
} from './documents.js';
import type { ActivityRecord, BusinessState } from './state.js';

/** @internal */
export interface RestRequest {
  method: string;
  /** Path segments after `/v1/`. */
  segments: string[];
  query: Readonly<Record<string, string>>;
  body: string;
  origin: string;
  now: number;
}

const PAGE_DEFAULT = 100;
const PAGE_MAX = 1000;

function pageLimit(q: Readonly<Record<string, string>>): number | RestAnswer {
  const raw = q['limit'];
  if (raw === undefined) return PAGE_DEFAULT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    return restError(400, 'PARAMETER_ERROR.INVALID', 'limit must be a positive integer');
  return Math.min(n, PAGE_MAX);
}

/** A page over a virtual list read by position. */
function page(
  req: RestRequest,
  path: string,
  total: number,
  at: (i: number) => unknown,
): RestAnswer {
  const limit = pageLimit(req.query);
  if (typeof limit !== 'number') return limit;
  const cursor = req.query['cursor'];
  let start = 0;
  if (cursor !== undefined) {
    start = Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0)
      return restError(400, 'PARAMETER_ERROR.INVALID', 'cursor is not valid');
  }
  const data: unknown[] = [];
  for (let i = start; i < Math.min(total, start + limit); i++) data.push(at(i));
  const end = start + data.length;
  const nextCursor = end < total ? Buffer.from(String(end)).toString('base64url') : undefined;
  const q = new URLSearchParams({ ...req.query, limit: String(limit) });
  q.delete('cursor');
  const self = `${req.origin}${path}?${q}`;
  if (nextCursor) q.set('cursor', nextCursor);
  return {
    status: 200,
    json: {
      data,
      links: { self, ...(nextCursor ? { next: `${req.origin}${path}?${q}` } : {}) },
      meta: { paging: { limit, total, ...(nextCursor ? { nextCursor } : {}) } },
    },
  };
}

/** Every org serial in a stable order: ADE server devices, off-server devices, the unassigned pool. */
function orgSerials(biz: BusinessState): string[] {
  const out: string[] = [];
  const store = biz.sim.devices;
  for (let s = store.nextPresent(0); s < store.slotCount; s = store.nextPresent(s + 1))
    out.push(store.at(s).serial_number);
  for (const serial of biz.offServer.keys()) out.push(serial);
  for (let i = 0; i < biz.unassignedPool; i++) {
    const serial = biz.poolSerial(i);
    if (!biz.offServer.has(serial) && !biz.released.has(serial) && !biz.sim.devices.get(serial))
      out.push(serial);
  }
  return out;
}

function parseBody(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    const data = (v as { data?: unknown })?.data;
    return data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function activityDoc(req: RestRequest, a: ActivityRecord): unknown {
  return {
    data: {
      type: 'orgDeviceActivities',
      id: a.id,
      attributes: {
        activityType: a.activityType,
        status: a.status,
        subStatus: a.subStatus,
        createdDateTime: new Date(a.createdAt).toISOString(),
        completedDateTime:
          a.completedAt === undefined ? null : new Date(a.completedAt).toISOString(),
        downloadUrl: a.log === undefined ? null : `${req.origin}/business-api-logs/${a.id}.csv`,
      },
      links: { self: `${req.origin}/v1/orgDeviceActivities/${a.id}` },
    },
  };
}

function createActivity(biz: BusinessState, req: RestRequest): RestAnswer {
  const data = parseBody(req.body);
  if (data === undefined || data['type'] !== 'orgDeviceActivities')
    return restError(400, 'ENTITY_ERROR', 'data.type must be orgDeviceActivities');
  const type = (data['attributes'] as { activityType?: unknown } | undefined)?.activityType;
  if (!isActivityType(type))
    return restError(400, 'ENTITY_ERROR.ATTRIBUTE.INVALID', 'activityType is not valid');
  const rel = (data['relationships'] ?? {}) as Record<string, { data?: unknown }>;
  const devices = rel['devices']?.data;
  if (!Array.isArray(devices) || devices.length === 0)
    return restError(400, 'ENTITY_ERROR.RELATIONSHIP.REQUIRED', 'devices are required');
  if (devices.length > SIM_MAX_ACTIVITY_DEVICES)
    return restError(
      400,
      'ENTITY_ERROR.RELATIONSHIP.INVALID',
      `at most ${SIM_MAX_ACTIVITY_DEVICES} devices per activity`,
    );
  const serials: string[] = [];
  for (const d of devices) {
    const id = (d as { id?: unknown; type?: unknown })?.id;
    if ((d as { type?: unknown })?.type !== 'orgDevices' || typeof id !== 'string') {
      return restError(
        400,
        'ENTITY_ERROR.RELATIONSHIP.INVALID',
        'devices must be orgDevices linkages',
      );
    }
    serials.push(id);
  }
  const server = (rel['mdmServer']?.data as { id?: unknown } | undefined)?.id;
  const needsServer =
    type === 'ASSIGN_DEVICES' || type === 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE';
  if (needsServer && typeof server !== 'string')
    return restError(400, 'ENTITY_ERROR.RELATIONSHIP.REQUIRED', 'mdmServer is required');
  if (typeof server === 'string' && !biz.servers.has(server))
    return restError(404, 'NOT_FOUND', `no mdmServers with id ${server}`);
  const a: ActivityRecord = {
    id: biz.newId(),
    activityType: type,
    serverId: typeof server === 'string' ? server : undefined,
    serials,
    createdAt: req.now,
    completesAt: req.now + biz.activityLatencyMs,
    status: 'IN_PROGRESS',
    subStatus: 'SUBMITTED',
    completedAt: undefined,
    log: undefined,
  };
  biz.activities.set(a.id, a);
  return { status: 201, json: activityDoc(req, a) };
}

function writeServer(biz: BusinessState, req: RestRequest, id: string | undefined): RestAnswer {
  const data = parseBody(req.body);
  if (data === undefined || data['type'] !== 'mdmServers')
    return restError(400, 'ENTITY_ERROR', 'data.type must be mdmServers');
  const attrs = (data['attributes'] ?? {}) as Record<string, unknown>;
  const at = new Date(req.now).toISOString();
  if (id === undefined) {
    const name = attrs['serverName'];
    const cert = attrs['serverCertificate'] as { data?: unknown } | undefined;
    if (typeof name !== 'string' || name === '')
      return restError(400, 'ENTITY_ERROR.ATTRIBUTE.REQUIRED', 'serverName is required');
    try {
      new X509Certificate(Buffer.from(String(cert?.data ?? ''), 'base64'));
    } catch {
      return restError(
        400,
        'ENTITY_ERROR.ATTRIBUTE.INVALID',
        'serverCertificate.data must be a base64 DER certificate',
      );
    }
    const record = {
      id: biz.newId(),
      serverName: name,
      serverType: 'MDM',
      createdDateTime: at,
      updatedDateTime: at,
      defaultProductFamilies: [],
      enableMdmDisownFlag: attrs['enableMdmDisownFlag'] === true,
    };
    biz.servers.set(record.id, record);
    return {
      status: 201,
      json: {
        data: { type: 'mdmServers', id: record.id, attributes: serverAttributes(biz, record) },
      },
    };
  }
  const record = biz.servers.get(id);
  if (!record) return restError(404, 'NOT_FOUND', `no mdmServers with id ${id}`);
  if (typeof attrs['serverName'] === 'string') record.serverName = attrs['serverName'];
  const families = attrs['defaultProductFamilies'];
  if (families !== undefined) {
    if (!Array.isArray(families) || families.some((f) => typeof f !== 'string')) {
      return restError(
        400,
        'ENTITY_ERROR.ATTRIBUTE.INVALID',
        'defaultProductFamilies must be strings',
      );
    }
    // One server per family: taking a family from another server is how ABM behaves.
    for (const other of biz.servers.values()) {
      other.defaultProductFamilies = other.defaultProductFamilies.filter(
        (f) => !families.includes(f),
      );
    }
    record.defaultProductFamilies = [...families];
  }
  record.updatedDateTime = at;
  return {
    status: 200,
    json: { data: { type: 'mdmServers', id, attributes: serverAttributes(biz, record) } },
  };
}

/** @internal Serves one `/v1/…` request (already authenticated). */
export function restRoute(biz: BusinessState, req: RestRequest): RestAnswer {
  const [resource, id, sub, rel] = req.segments;
  const m = req.method;
  const fields = (type: string): string | undefined => req.query[`fields[${type}]`];
  if (resource === 'orgDevices') {
    if (id === undefined && m === 'GET') {
      const serials = orgSerials(biz);
      return page(req, '/v1/orgDevices', serials.length, (i) => {
        const serial = serials[i] as string;
        return {
          type: 'orgDevices',
          id: serial,
          attributes: pick(deviceAttributes(biz, serial) ?? {}, fields('orgDevices')),
        };
      });
    }
    if (id !== undefined && m === 'GET') {
      const attrs = deviceAttributes(biz, id);
      if (!attrs) return restError(404, 'NOT_FOUND', `no orgDevices with id ${id}`);
      if (sub === undefined)
        return {
          status: 200,
          json: { data: { type: 'orgDevices', id, attributes: pick(attrs, fields('orgDevices')) } },
        };
      const where = biz.locate(id) ?? null;
      if (sub === 'relationships' && rel === 'assignedServer') {
        return {
          status: 200,
          json: { data: where === null ? null : { type: 'mdmServers', id: where } },
        };
      }
      if (sub === 'assignedServer' && rel === undefined) {
        const s = where === null ? undefined : biz.servers.get(where);
        return {
          status: 200,
          json: {
            data: s ? { type: 'mdmServers', id: s.id, attributes: serverAttributes(biz, s) } : null,
          },
        };
      }
      if (sub === 'appleCareCoverage' && rel === undefined) {
        return page(req, `/v1/orgDevices/${id}/appleCareCoverage`, 1, () => ({
          type: 'appleCareCoverage',
          id: `${id}-LIMITED`,
          attributes: {
            description: 'Limited Warranty',
            status: 'ACTIVE',
            startDateTime: '2025-01-01T00:00:00Z',
            endDateTime: '2026-01-01T00:00:00Z',
            isRenewable: false,
          },
        }));
      }
    }
  }
  if (resource === 'mdmServers') {
    if (id === undefined && m === 'GET') {
      const list = [...biz.servers.values()];
      return page(req, '/v1/mdmServers', list.length, (i) => {
        const s = list[i] as (typeof list)[number];
        return {
          type: 'mdmServers',
          id: s.id,
          attributes: pick(serverAttributes(biz, s), fields('mdmServers')),
        };
      });
    }
    if (id === undefined && m === 'POST') return writeServer(biz, req, undefined);
    if (id !== undefined && sub === undefined && m === 'PATCH') return writeServer(biz, req, id);
    if (id !== undefined && m === 'GET') {
      const s = biz.servers.get(id);
      if (!s) return restError(404, 'NOT_FOUND', `no mdmServers with id ${id}`);
      if (sub === undefined)
        return {
          status: 200,
          json: {
            data: {
              type: 'mdmServers',
              id,
              attributes: pick(serverAttributes(biz, s), fields('mdmServers')),
            },
          },
        };
      if (sub === 'relationships' && rel === 'devices') {
        const serials = orgSerials(biz).filter((serial) => biz.locate(serial) === id);
        return page(req, `/v1/mdmServers/${id}/relationships/devices`, serials.length, (i) => ({
          type: 'orgDevices',
          id: serials[i],
        }));
      }
    }
  }
  if (resource === 'orgDeviceActivities') {
    if (id === undefined && m === 'POST') return createActivity(biz, req);
    if (id !== undefined && sub === undefined && m === 'GET') {
      const a = biz.activities.get(id);
      if (!a) return restError(404, 'NOT_FOUND', `no orgDeviceActivities with id ${id}`);
      return { status: 200, json: activityDoc(req, a) };
    }
  }
  return restError(404, 'NOT_FOUND', `no route for ${m} /v1/${req.segments.join('/')}`);
}
