import { FeatureUnavailableError } from '../errors/feature-errors.js';
import type { AbmManager } from '../manager/abm-manager.js';

/** What {@link assignDevicesToServer} answers once the Apple Business API is wired in. */
export interface AssignDevicesResult {
  /** Serials sent for assignment. */
  requested: number;
  /** Apple's answer, as the Business API reports it. */
  result: unknown;
}

/**
 * Assigns devices (by serial) to the token's MDM server through the Apple Business API — the one
 * seam the `abmkit assign` command and the admin CSV-assignment route call.
 *
 * This build has no Business API yet, so it always rejects with a {@link FeatureUnavailableError}
 * (`FEATURE_UNAVAILABLE`) and changes nothing. Once `manager.assignDevices(tokenId, serials)`
 * exists this function forwards to it.
 *
 * @internal
 */
export async function assignDevicesToServer(
  _manager: AbmManager,
  tokenId: string,
  serials: readonly string[],
): Promise<AssignDevicesResult> {
  throw new FeatureUnavailableError(
    'assignDevices',
    `Assigning ${serials.length} device(s) to token "${tokenId}" needs the Apple Business API, which this abmkit build does not include yet; assign them in Apple Business Manager (Devices > Edit MDM Server) instead. Nothing was changed.`,
  );
}
