/**
 * The embedder's own code under test: "when a device is newly assigned to our MDM server in
 * Apple Business Manager, give it our enrollment profile".
 *
 * It is deliberately small: read device pages from the stored cursor, pick devices that need a
 * profile, assign it, and report what happened so the caller can persist the cursor and retry
 * throttled or failed serials later.
 */
import type { AbmClient } from 'abmkit';

/** What one onboarding run did. */
export interface OnboardResult {
  /** Cursor to store for the next run. */
  cursor: string | undefined;
  /** Serials that got the profile. */
  assigned: string[];
  /** Serials Apple throttled, with the wait it asked for (seconds), to retry later. */
  throttled: { serials: string[]; retryAfterSeconds: number | undefined };
  /** Serials that failed or were not accessible. */
  failed: string[];
}

/**
 * Onboards new devices: on a full fetch, every device without a profile; on sync, every device
 * reported `added` (and `modified` devices that still have no profile, e.g. moved in from another
 * server).
 */
export async function onboardNewDevices(
  client: AbmClient,
  profileUuid: string,
  cursor?: string,
): Promise<OnboardResult> {
  const result: OnboardResult = {
    cursor,
    assigned: [],
    throttled: { serials: [], retryAfterSeconds: undefined },
    failed: [],
  };
  for await (const page of client.devicePages({ limit: 1000, ...(cursor ? { cursor } : {}) })) {
    const wanted = page.devices
      .filter((d) =>
        page.phase === 'fetch'
          ? d.profile_status === 'empty'
          : d.op_type === 'added' || (d.op_type === 'modified' && !d.profile_uuid),
      )
      .map((d) => d.serial_number);
    if (wanted.length > 0) {
      const answer = await client.assignProfile(profileUuid, wanted);
      for (const [serial, status] of Object.entries(answer.devices)) {
        if (status === 'SUCCESS') result.assigned.push(serial);
        else if (status === 'THROTTLED') result.throttled.serials.push(serial);
        else result.failed.push(serial);
      }
      result.failed.push(...answer.missing);
      if (answer.retry_after_seconds !== undefined) {
        result.throttled.retryAfterSeconds = answer.retry_after_seconds;
      }
    }
    result.cursor = page.cursor;
    if (page.stalled) break;
  }
  return result;
}
