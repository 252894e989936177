import { writeXmlPlist } from '../../enrollment/plist-write.js';
import { signCms } from '../../enrollment/sign-cms.js';
import { InvalidArgumentError } from '../../errors/index.js';
import { SIMULATOR_DEVICE_CERT_PEM, SIMULATOR_DEVICE_KEY_PEM } from './device-ca.js';
import type { SimDevice, SimDevices, SimProfiles } from './types.js';

/** Options of `sim.devices.activate`. */
export interface SimActivateOptions {
  /** The device's OS version before activation. @default '18.0' (kept between calls once set) */
  osVersion?: string | undefined;
  /** Its build. @default '22A3354' */
  build?: string | undefined;
  /** Its model identifier. Default from the device family (`iPhone15,2`, `iPad13,18`, `Mac14,3`, …). */
  product?: string | undefined;
  /** Whether it sends `MDM_CAN_REQUEST_SOFTWARE_UPDATE`. @default true */
  canRequestSoftwareUpdate?: boolean | undefined;
  /** Extra MachineInfo keys. */
  extra?: Record<string, string | boolean> | undefined;
  /** `Authorization: Bearer` token (Platform SSO / account-driven retry). */
  bearerToken?: string | undefined;
  /** Post to this URL instead of the assigned profile's `url`. */
  url?: string | undefined;
  /** Most software updates honoured before giving up. @default 3 */
  maxUpdates?: number | undefined;
  /** Timeout of each POST. @default 10000 */
  timeoutMs?: number | undefined;
  /** fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
}

/** One POST of an activation and its answer. */
export interface SimActivationStep {
  /** The OS version the device reported. */
  osVersion: string;
  /** HTTP status received. */
  status: number;
  /** `com.apple.softwareupdate.required` target, when the answer asked for an update. */
  softwareUpdate?: { osVersion: string; buildVersion?: string | undefined } | undefined;
}

/** What a simulated activation received. */
export interface SimActivation {
  /** The device. */
  serialNumber: string;
  /** The URL posted to. */
  url: string;
  /** Every POST, in order (a software-update answer is followed by a post from the updated OS). */
  steps: SimActivationStep[];
  /** The final status. */
  status: number;
  /** The final `Content-Type`. */
  contentType: string | null;
  /** The final body (the profile when `status` is 200). */
  body: Uint8Array;
  /** The device's OS version at the end. */
  osVersion: string;
}

const MAX_RESPONSE = 1024 * 1024;

function productOf(device: SimDevice): string {
  switch (device.device_family) {
    case 'iPad':
      return 'iPad13,18';
    case 'Mac':
      return 'Mac14,3';
    case 'AppleTV':
      return 'AppleTV14,1';
    case 'Watch':
      return 'Watch7,1';
    case 'Vision':
      return 'RealityDevice14,1';
    default:
      return 'iPhone15,2';
  }
}

async function readLimited(response: Response): Promise<Uint8Array> {
  const buf = new Uint8Array(await response.arrayBuffer());
  if (buf.byteLength > MAX_RESPONSE)
    throw new InvalidArgumentError('The enrollment URL answered with more than 1 MiB.');
  return buf;
}

/** Device-side state of activations (OS versions survive "updates"). @internal */
export function createActivator(devices: SimDevices, profiles: SimProfiles) {
  const os = new Map<string, { osVersion: string; extra: string; build: string }>();
  return async function activate(
    serial: string,
    options: SimActivateOptions = {},
  ): Promise<SimActivation> {
    const device = devices.get(serial);
    if (device === undefined)
      throw new InvalidArgumentError(`Device ${serial} is not assigned to the simulated server.`);
    const profile =
      device.profile_uuid === undefined ? undefined : profiles.get(device.profile_uuid);
    const url =
      options.url ??
      (typeof profile?.['url'] === 'string' ? (profile['url'] as string) : undefined);
    if (url === undefined) {
      throw new InvalidArgumentError(
        `Device ${serial} has no ADE profile with a url: assign one (sync with a policy) first.`,
      );
    }
    if (options.osVersion !== undefined || !os.has(serial)) {
      const m = /^(\S+)(?:\s+(\(\w\)))?$/.exec(options.osVersion ?? '18.0');
      os.set(serial, {
        osVersion: m?.[1] ?? '18.0',
        extra: m?.[2] ?? '',
        build: options.build ?? '22A3354',
      });
    }
    devices.markPushed([serial]);
    const doFetch = options.fetch ?? globalThis.fetch;
    const steps: SimActivationStep[] = [];
    for (let updates = 0; ; updates++) {
      const state = os.get(serial) as { osVersion: string; extra: string; build: string };
      const fields: Record<string, string | boolean> = {
        UDID: `00008101-${device.serial_number.padStart(16, '0')}`,
        SERIAL: device.serial_number,
        PRODUCT: options.product ?? productOf(device),
        VERSION: state.build,
        OS_VERSION: state.osVersion,
        LANGUAGE: 'en',
        MDM_CAN_REQUEST_SOFTWARE_UPDATE: options.canRequestSoftwareUpdate ?? true,
        ...(state.extra === '' ? {} : { SUPPLEMENTAL_OS_VERSION_EXTRA: state.extra }),
        ...options.extra,
      };
      const body = signCms(Buffer.from(writeXmlPlist(fields), 'utf8'), {
        certificatePem: SIMULATOR_DEVICE_CERT_PEM,
        privateKeyPem: SIMULATOR_DEVICE_KEY_PEM,
        digest: 'sha256',
      });
      const response = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/pkcs7-signature',
          'user-agent': 'abmkit-simulator DeviceManagementClient/1.0',
          ...(options.bearerToken === undefined
            ? {}
            : { authorization: `Bearer ${options.bearerToken}` }),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const bytes = await readLimited(response);
      const reported = state.extra === '' ? state.osVersion : `${state.osVersion} ${state.extra}`;
      const step: SimActivationStep = { osVersion: reported, status: response.status };
      steps.push(step);
      let doc:
        | { code?: unknown; details?: { OSVersion?: unknown; BuildVersion?: unknown } }
        | undefined;
      if (response.status === 403 && /json/.test(response.headers.get('content-type') ?? '')) {
        try {
          doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
        } catch {
          doc = undefined;
        }
      }
      const target =
        doc?.code === 'com.apple.softwareupdate.required' ? doc.details?.OSVersion : undefined;
      if (typeof target === 'string' && updates < (options.maxUpdates ?? 3)) {
        const buildVersion =
          typeof doc?.details?.BuildVersion === 'string' ? doc.details.BuildVersion : undefined;
        step.softwareUpdate = { osVersion: target, buildVersion };
        const m = /^(\S+)(?:\s+(\(\w\)))?$/.exec(target);
        os.set(serial, {
          osVersion: m?.[1] ?? target,
          extra: m?.[2] ?? '',
          build: buildVersion ?? `${state.build}u`,
        });
        continue;
      }
      const final = os.get(serial) as { osVersion: string; extra: string };
      return {
        serialNumber: device.serial_number,
        url,
        steps,
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: bytes,
        osVersion: final.extra === '' ? final.osVersion : `${final.osVersion} ${final.extra}`,
      };
    }
  };
}
