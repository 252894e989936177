import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';
import { readAnchors } from './certificate.js';
import type { MachineInfo } from './machine-info.js';
import type { PlistDict, PlistValue } from './plist-types.js';
import { writeXmlPlist } from './plist-write.js';
import type {
  EnrollmentIdentity,
  EnrollmentProfile,
  EnrollmentProfileOptions,
  PerDevice,
  SubjectEntry,
} from './profile-types.js';

const DEFAULT_CAPABILITIES = ['com.apple.mdm.per-user-connections', 'com.apple.mdm.bootstraptoken'];

function need(ok: boolean, message: string): void {
  if (!ok)
    throw new InvalidArgumentError(`${message} See docs/enrollment.md (enrollment profile).`);
}

function httpsUrl(value: unknown, name: string): string {
  need(
    typeof value === 'string' && /^https?:\/\/[^\s]+$/i.test(value),
    `${name} must be an http(s) URL.`,
  );
  return value as string;
}

async function perDevice<T>(
  value: PerDevice<T> | undefined,
  device: MachineInfo | undefined,
): Promise<T | undefined> {
  return typeof value === 'function'
    ? (value as (d: MachineInfo | undefined) => T | Promise<T>)(device)
    : value;
}

function subjectOf(entries: readonly SubjectEntry[]): PlistValue {
  return entries.map(([k, v]) => [[k, v]]);
}

function defaultSubject(device: MachineInfo | undefined): readonly SubjectEntry[] {
  return [['CN', device?.serialNumber ?? device?.udid ?? 'MDM Identity']];
}

async function identityPayload(
  identity: EnrollmentIdentity,
  device: MachineInfo | undefined,
): Promise<{ type: string; content: Record<string, PlistValue | undefined> }> {
  switch (identity?.type) {
    case 'acme': {
      const clientIdentifier =
        (await perDevice(identity.clientIdentifier, device)) ?? device?.serialNumber;
      need(
        typeof clientIdentifier === 'string' && clientIdentifier !== '',
        'ACME needs a clientIdentifier (default: the device serial, which this request lacks).',
      );
      return {
        type: 'com.apple.security.acme',
        content: {
          DirectoryURL: httpsUrl(identity.directoryUrl, 'identity.directoryUrl'),
          ClientIdentifier: clientIdentifier as string,
          KeyType: identity.keyType ?? 'ECSECPrimeRandom',
          KeySize: identity.keySize ?? 384,
          HardwareBound: identity.hardwareBound ?? true,
          Attest: identity.attest ?? true,
          Subject: subjectOf((await perDevice(identity.subject, device)) ?? defaultSubject(device)),
        },
      };
    }
    case 'scep': {
      const challenge = await perDevice(identity.challenge, device);
      return {
        type: 'com.apple.security.scep',
        content: {
          PayloadContent: {
            URL: httpsUrl(identity.url, 'identity.url'),
            Name: identity.name,
            Subject: subjectOf(
              (await perDevice(identity.subject, device)) ?? defaultSubject(device),
            ),
            Challenge: challenge,
            Keysize: identity.keysize ?? 2048,
            'Key Type': 'RSA',
            'Key Usage': identity.keyUsage ?? 5,
            CAFingerprint: identity.caFingerprint,
            Retries: identity.retries,
            RetryDelay: identity.retryDelay,
          } as PlistDict,
        },
      };
    }
    case 'pkcs12':
      need(
        identity.data instanceof Uint8Array && identity.data.byteLength > 0,
        'identity.data must hold the .p12 bytes.',
      );
      return {
        type: 'com.apple.security.pkcs12',
        content: { PayloadContent: identity.data, Password: identity.password },
      };
    default:
      return need(false, "identity.type must be 'acme', 'scep' or 'pkcs12'.") as never;
  }
}

function payload(
  type: string,
  identifier: string,
  uuid: string,
  name: string,
  content: Record<string, PlistValue | undefined>,
): PlistDict {
  return {
    PayloadType: type,
    PayloadVersion: 1,
    PayloadIdentifier: identifier,
    PayloadUUID: uuid,
    PayloadDisplayName: name,
    ...content,
  } as PlistDict;
}

/**
 * Builds an MDM enrollment profile (`.mobileconfig`): optional anchor-certificate payloads, the
 * identity payload (ACME, SCEP or PKCS#12) and the `com.apple.mdm` payload pointing at it.
 * Payload identifiers are stable (`<identifier>.mdm`, `.identity`, `.anchor.N`), UUIDs fresh.
 * Serve it as is, or sign it with {@link signEnrollmentProfile}.
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) for a missing or malformed option.
 */
export async function buildEnrollmentProfile(
  options: EnrollmentProfileOptions,
): Promise<EnrollmentProfile> {
  need(typeof options === 'object' && options !== null, 'Options are required.');
  const { identifier, mdm, device } = options;
  need(
    typeof identifier === 'string' && /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(identifier),
    'identifier must be reverse-DNS, e.g. com.acme.mdm.enroll.',
  );
  need(typeof mdm === 'object' && mdm !== null, 'mdm options are required.');
  need(
    typeof mdm.topic === 'string' && mdm.topic.startsWith('com.apple.mgmt.'),
    'mdm.topic must be your APNs topic (com.apple.mgmt.…).',
  );
  const uuid = options.uuid ?? randomUUID;
  const identityUuid = uuid().toUpperCase();
  const identity = await identityPayload(options.identity, device);
  const anchors =
    options.anchorCertificates === undefined ? [] : readAnchors(options.anchorCertificates);
  const content: PlistDict[] = anchors.map((cert, i) =>
    payload(
      'com.apple.security.root',
      `${identifier}.anchor.${i}`,
      uuid().toUpperCase(),
      `Anchor ${i + 1}`,
      {
        PayloadContent: new Uint8Array(cert.raw),
      },
    ),
  );
  content.push(
    payload(
      identity.type,
      `${identifier}.identity`,
      identityUuid,
      'MDM Identity',
      identity.content,
    ),
  );
  content.push(
    payload('com.apple.mdm', `${identifier}.mdm`, uuid().toUpperCase(), 'MDM', {
      ServerURL: httpsUrl(mdm.serverUrl, 'mdm.serverUrl'),
      CheckInURL:
        mdm.checkInUrl === undefined ? undefined : httpsUrl(mdm.checkInUrl, 'mdm.checkInUrl'),
      Topic: mdm.topic,
      IdentityCertificateUUID: identityUuid,
      AccessRights: mdm.accessRights ?? 8191,
      SignMessage: mdm.signMessage ?? true,
      CheckOutWhenRemoved: mdm.checkOutWhenRemoved ?? true,
      ServerCapabilities: [...(mdm.serverCapabilities ?? DEFAULT_CAPABILITIES)],
    }),
  );
  const payloadUuid = uuid().toUpperCase();
  const xml = writeXmlPlist({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: identifier,
    PayloadUUID: payloadUuid,
    PayloadDisplayName: options.displayName ?? 'MDM Enrollment',
    ...(options.organization === undefined ? {} : { PayloadOrganization: options.organization }),
    ...(options.description === undefined ? {} : { PayloadDescription: options.description }),
    PayloadScope: 'System',
    PayloadContent: content,
  });
  return Object.freeze({
    xml,
    bytes: new Uint8Array(Buffer.from(xml, 'utf8')),
    payloadUuid,
    identityPayloadUuid: identityUuid,
  });
}
