import { InvalidArgumentError, isAbmError } from '../errors/index.js';
import type { EnrollmentEventName, EnrollmentEventPayload } from '../manager/enrollment-events.js';
import type { DeviceLookup } from '../manager/types.js';
import { APPLE_IPHONE_DEVICE_CA_PEM } from './apple-device-ca.js';
import { readAnchors } from './certificate.js';
import type {
  EnrollmentContext,
  EnrollmentDecision,
  EnrollmentHandlerOptions,
} from './handler-types.js';
import {
  decideMinimumOs,
  deviceOsVersion,
  type MinimumOsTarget,
  softwareUpdateRequiredDocument,
} from './minimum-os.js';
import { type VerifiedMachineInfo, verifyMachineInfo } from './parse-machine-info.js';
import { readBodyLimited } from './read-body.js';
import { signEnrollmentProfile } from './sign-profile.js';

/** The MIME type of an enrollment profile. */
export const ENROLLMENT_PROFILE_CONTENT_TYPE = 'application/x-apple-aspen-config';

/** The header carrying MachineInfo in the web-view (`configuration_web_url`) flow. */
export const DEVICE_INFO_HEADER = 'x-apple-aspen-deviceinfo';

function text(status: number, body: string, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      ...extra,
    },
  });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
  });
}

function bearerOf(request: Request): string | undefined {
  const m = /^Bearer\s+(\S{1,4096})\s*$/i.exec(request.headers.get('authorization') ?? '');
  return m?.[1];
}

function payloadOf(info: VerifiedMachineInfo, device: DeviceLookup | null): EnrollmentEventPayload {
  return {
    tokenId: device?.tokenId ?? null,
    customerId: device?.customerId ?? null,
    siteId: device?.siteId ?? null,
    serialNumber: info.serialNumber ?? null,
    product: info.product ?? null,
    osVersion: deviceOsVersion(info) ?? null,
  };
}

/**
 * Creates the enrollment endpoint: a web-standard `(request) => Promise<Response>` to mount at the
 * ADE profile's `url` (and `configuration_web_url`). It verifies the device's MachineInfo (body, or
 * the `x-apple-aspen-deviceinfo` header), routes it through the manager, applies the minimum OS,
 * asks `resolve`, and answers: `200` with the profile (`application/x-apple-aspen-config`), `403`
 * with Apple's software-update document, `400` for malformed input, `403` for an untrusted
 * signature, the refusal's status, or `503` when your callback or storage fails. Never `500`.
 *
 * @example
 * ```ts
 * const handler = createEnrollmentHandler({
 *   manager,
 *   minimumOs: { ios: '17.4', macos: '14.4' },
 *   resolve: async ({ machineInfo, device }) =>
 *     device ? { kind: 'profile', profile: await buildProfileFor(device, machineInfo) }
 *            : { kind: 'refuse', reason: 'unknown device' },
 * });
 * ```
 */
export function createEnrollmentHandler(
  options: EnrollmentHandlerOptions,
): (request: Request) => Promise<Response> {
  if (typeof options?.resolve !== 'function') {
    throw new InvalidArgumentError('createEnrollmentHandler needs options.resolve (a function).');
  }
  const { manager } = options;
  const anchors = readAnchors(options.trustAnchors ?? [APPLE_IPHONE_DEVICE_CA_PEM]);
  const emit = async (
    name: EnrollmentEventName,
    payload: EnrollmentEventPayload,
  ): Promise<void> => {
    if (manager !== undefined) await manager.recordEnrollmentEvent(name, payload);
  };

  async function minimumOsTarget(
    ctx: EnrollmentContext,
  ): Promise<MinimumOsTarget | string | undefined> {
    const option = options.minimumOs;
    if (option === undefined) return undefined;
    if (typeof option === 'function') return option(ctx);
    const platform = decideMinimumOs(ctx.machineInfo, undefined).platform;
    return platform === 'ios' || platform === 'macos' || platform === 'visionos'
      ? option[platform]
      : undefined;
  }

  async function answer(ctx: EnrollmentContext, decision: EnrollmentDecision): Promise<Response> {
    const base = payloadOf(ctx.machineInfo, ctx.device);
    switch (decision?.kind) {
      case 'profile': {
        const p = decision.profile;
        let bytes: Uint8Array =
          typeof p === 'string'
            ? new Uint8Array(Buffer.from(p, 'utf8'))
            : p instanceof Uint8Array
              ? p
              : p.bytes;
        if (options.sign !== undefined && decision.signed !== true)
          bytes = signEnrollmentProfile(bytes, options.sign);
        await emit('enrollment.profile-served', base);
        return new Response(bytes, {
          status: 200,
          headers: {
            'content-type': ENROLLMENT_PROFILE_CONTENT_TYPE,
            'x-content-type-options': 'nosniff',
            'cache-control': 'no-store',
            'content-disposition': 'attachment; filename="enroll.mobileconfig"',
          },
        });
      }
      case 'software-update': {
        const decided = decideMinimumOs(ctx.machineInfo, decision.target);
        if (decided.action === 'update') return softwareUpdate(ctx, decided.target);
        const reason = `software update to ${decision.target.osVersion} asked for, but not possible (${decided.reason})`;
        await emit('enrollment.refused', { ...base, reason, status: 403 });
        return text(403, 'Enrollment refused.');
      }
      case 'refuse': {
        const status =
          Number.isInteger(decision.status) &&
          (decision.status as number) >= 400 &&
          (decision.status as number) < 500
            ? (decision.status as number)
            : 403;
        await emit('enrollment.refused', { ...base, reason: decision.reason ?? 'refused', status });
        return text(status, decision.reason ?? 'Enrollment refused.');
      }
      case 'response':
        if (!(decision.response instanceof Response))
          throw new InvalidArgumentError('resolve returned kind "response" without a Response.');
        return decision.response;
      default:
        throw new InvalidArgumentError(
          'resolve returned an unknown decision (expected kind profile, software-update, refuse or response).',
        );
    }
  }

  async function softwareUpdate(
    ctx: EnrollmentContext,
    target: MinimumOsTarget,
  ): Promise<Response> {
    await emit('enrollment.software-update-required', {
      ...payloadOf(ctx.machineInfo, ctx.device),
      requiredOsVersion: target.osVersion,
    });
    return json(
      403,
      softwareUpdateRequiredDocument(target, { message: options.softwareUpdateMessage }),
    );
  }

  return async function enrollmentHandler(request: Request): Promise<Response> {
    let machineInfo: VerifiedMachineInfo;
    let source: 'body' | 'header';
    try {
      const header = request.headers.get(DEVICE_INFO_HEADER);
      source = header !== null && header.trim() !== '' ? 'header' : 'body';
      const input = source === 'header' ? (header as string) : await readBodyLimited(request);
      if (input === undefined) return text(400, 'MachineInfo too large.');
      machineInfo = verifyMachineInfo(input, anchors);
    } catch (error) {
      if (isAbmError(error, 'MACHINE_INFO_UNTRUSTED'))
        return text(403, 'MachineInfo signature not trusted.');
      if (isAbmError(error, 'MACHINE_INFO_INVALID')) return text(400, 'Malformed MachineInfo.');
      options.onError?.(error);
      return text(400, 'Malformed request.');
    }
    try {
      const serial = machineInfo.serialNumber;
      const device = manager !== undefined && serial ? await manager.lookupDevice(serial) : null;
      const ctx: EnrollmentContext = {
        machineInfo,
        source,
        device,
        bearerToken: bearerOf(request),
        request,
      };
      await emit('enrollment.requested', payloadOf(machineInfo, device));
      const target = await minimumOsTarget(ctx);
      const decided = decideMinimumOs(machineInfo, target);
      if (decided.action === 'update') return await softwareUpdate(ctx, decided.target);
      return await answer(ctx, await options.resolve(ctx));
    } catch (error) {
      options.onError?.(error);
      return text(503, 'Enrollment temporarily unavailable; try again.', { 'retry-after': '30' });
    }
  };
}
