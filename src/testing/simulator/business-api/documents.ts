/**
 * JSON:API documents and errors of the simulated REST API.
 *
 * @internal
 * @module
 */
import type { BusinessState, OffServerDevice, ServerRecord } from './state.js';
import { familyOf } from './state.js';

/** @internal */
export interface RestAnswer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** @internal A JSON:API error document. */
export function restError(status: number, code: string, detail: string): RestAnswer {
  return {
    status,
    json: {
      errors: [
        {
          id: `${status}-${code}`,
          status: String(status),
          code,
          title: code.replace(/_/g, ' '),
          detail,
        },
      ],
    },
  };
}

/** @internal Applies a sparse fieldset. */
export function pick(
  attributes: Record<string, unknown>,
  fields: string | undefined,
): Record<string, unknown> {
  if (fields === undefined || fields === '') return attributes;
  const wanted = new Set(fields.split(','));
  return Object.fromEntries(Object.entries(attributes).filter(([k]) => wanted.has(k)));
}

/** @internal */
export function serverAttributes(biz: BusinessState, s: ServerRecord): Record<string, unknown> {
  return {
    serverName: s.serverName,
    serverType: s.serverType,
    createdDateTime: s.createdDateTime,
    updatedDateTime: s.updatedDateTime,
    defaultProductFamilies: s.defaultProductFamilies,
    enableMdmDisownFlag: s.enableMdmDisownFlag,
    status: 'ACTIVE',
    deviceCount:
      s.id === biz.adeServerId
        ? biz.sim.devices.count
        : [...biz.offServer.values()].filter((d) => d.serverId === s.id).length,
  };
}

/** @internal Attributes of an org device, or `undefined` when the org does not have it. */
export function deviceAttributes(
  biz: BusinessState,
  serial: string,
): Record<string, unknown> | undefined {
  const where = biz.locate(serial);
  if (where === undefined) return undefined;
  const ade = biz.sim.devices.get(serial);
  const off: OffServerDevice | undefined = biz.offServer.get(serial);
  const added = ade?.device_assigned_date ?? off?.addedToOrgDateTime ?? '2025-01-01T00:00:00.000Z';
  return {
    serialNumber: serial,
    addedToOrgDateTime: added,
    releasedFromOrgDateTime: null,
    updatedDateTime: added,
    deviceModel: ade?.model ?? off?.productFamily ?? 'iPhone',
    productFamily: ade ? familyOf(ade.model) : (off?.productFamily ?? 'iPhone'),
    productType: ade?.device_family ?? 'Unknown',
    color: ade?.color ?? '',
    status: where === null ? 'UNASSIGNED' : 'ASSIGNED',
    purchaseSourceType: 'APPLE',
  };
}
