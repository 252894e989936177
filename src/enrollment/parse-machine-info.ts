import type { X509Certificate } from 'node:crypto';
import { isAbmError } from '../errors/index.js';
import { APPLE_IPHONE_DEVICE_CA_PEM } from './apple-device-ca.js';
import { readAnchors, readCertificate } from './certificate.js';
import { decodeMachineInfoInput, type MachineInfoInput } from './decode-input.js';
import { malformed } from './fail.js';
import { MAX_MACHINE_INFO_BYTES } from './limits.js';
import { type MachineInfo, toMachineInfo } from './machine-info.js';
import { OID } from './oids.js';
import { parseXmlPlist } from './plist-parse.js';
import { parseSignedData } from './signed-data.js';
import { verifyChain } from './verify-chain.js';
import { verifySigner } from './verify-signer.js';

/** Options of {@link parseMachineInfo}. */
export interface ParseMachineInfoOptions {
  /**
   * PEM certificates of the device CAs to trust, replacing the default: Apple's pinned
   * {@link APPLE_IPHONE_DEVICE_CA_PEM}. For tests and the simulator pass
   * `SIMULATOR_DEVICE_CA_PEM` from `abmkit/testing` (add Apple's to accept both). A certificate
   * carried in the MachineInfo itself is never trusted as an anchor.
   */
  trustAnchors?: readonly string[] | undefined;
}

/** How a MachineInfo's signature was verified. */
export interface MachineInfoSignature {
  /** The digest algorithm (`sha1`, `sha256`, …). */
  readonly digest: string;
  /** Whether the signer used signed attributes (then `contentType` and `messageDigest` matched). */
  readonly signedAttributes: boolean;
  /** The signer certificate's subject (Apple: a per-device GUID). */
  readonly signerSubject: string;
  /** The trust anchor the chain ended at. */
  readonly anchorSubject: string;
}

/** A verified MachineInfo: the device's facts and how the signature checked out. */
export interface VerifiedMachineInfo extends MachineInfo {
  /** How the signature was verified. */
  readonly signature: MachineInfoSignature;
}

/**
 * Parses and verifies the MachineInfo an Apple device sends during Automated Device Enrollment:
 * the POST body sent to the ADE profile's `url` (BER bytes, indefinite lengths accepted) or the
 * `x-apple-aspen-deviceinfo` header of the web-view flow (standard or URL-safe base64).
 *
 * Checks: CMS SignedData with the plist attached; exactly one signer, whose certificate is in the
 * bag; SHA-1 or SHA-2 digests; signed attributes, when present, with a matching `contentType` and
 * `messageDigest`; a signature chain (signatures only, validity ignored) ending at a trust
 * anchor, by default Apple's pinned "Apple iPhone Device CA". Size, node and nesting limits apply;
 * the plist is read without any DTD or entity expansion.
 *
 * The signature proves an Apple device identity signed these facts, not that this request comes
 * from that device now (it can be replayed); see docs/enrollment.md.
 *
 * @throws {@link MachineInfoInvalidError} (`MACHINE_INFO_INVALID`, answer 400) for malformed input.
 * @throws {@link MachineInfoUntrustedError} (`MACHINE_INFO_UNTRUSTED`, answer 403) when the
 *   signature, digest or chain fails.
 *
 * @example
 * ```ts
 * const info = parseMachineInfo(new Uint8Array(await request.arrayBuffer()));
 * console.log(info.serialNumber, info.osVersion, info.canRequestSoftwareUpdate);
 * ```
 */
export function parseMachineInfo(
  input: MachineInfoInput,
  options: ParseMachineInfoOptions | null = {},
): VerifiedMachineInfo {
  const anchorsPem = options?.trustAnchors ?? [APPLE_IPHONE_DEVICE_CA_PEM];
  // Anything a hostile blob provokes below that is not already typed is a malformed request.
  return verifyMachineInfo(input, readAnchors(anchorsPem));
}

/**
 * {@link parseMachineInfo} with anchors parsed once (the handler keeps them per instance).
 * @internal
 */
export function verifyMachineInfo(
  input: MachineInfoInput,
  anchors: readonly X509Certificate[],
): VerifiedMachineInfo {
  try {
    return verifyAndRead(input, anchors);
  } catch (error) {
    if (isAbmError(error)) throw error;
    return malformed('The MachineInfo could not be decoded.', 'cms', error);
  }
}

function verifyAndRead(
  input: MachineInfoInput,
  anchors: readonly X509Certificate[],
): VerifiedMachineInfo {
  const ber = decodeMachineInfoInput(input);
  if (ber.byteLength > MAX_MACHINE_INFO_BYTES) malformed('The MachineInfo is too large.', 'limit');
  const data = parseSignedData(ber);
  if (data.contentType !== OID.data) malformed('The signed content is not plain data.');
  const bag = data.certificates.map((t) => readCertificate(data.bytes, t));
  const signer = verifySigner(data, bag);
  const anchor = verifyChain(
    signer.certificate.x509,
    bag.map((c) => c.x509),
    anchors,
  );
  const info = toMachineInfo(parseXmlPlist(data.content));
  return Object.freeze({
    ...info,
    signature: Object.freeze({
      digest: signer.digest,
      signedAttributes: signer.signedAttributes,
      signerSubject: signer.certificate.x509.subject.replace(/\n/g, ', '),
      anchorSubject: anchor.subject.replace(/\n/g, ', '),
    }),
  });
}
