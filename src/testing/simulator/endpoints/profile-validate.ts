/**
 * Server-side validation of a profile body, with the error strings Apple documents for
 * define-profile. Independent of abmkit's client-side validation on purpose: the simulator is
 * the reference the client is tested against.
 *
 * @internal
 * @module
 */

const FLAG_KEYS = [
  'allow_pairing',
  'is_supervised',
  'is_mandatory',
  'is_mdm_removable',
  'await_device_configured',
  'auto_advance_setup',
  'is_multi_user',
  'is_return_to_service',
  'do_not_use_profile_from_backup',
] as const;

const LIST_KEYS = [
  'skip_setup_items',
  'anchor_certs',
  'supervising_host_certs',
  'devices',
] as const;

function length(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

function isHttpUrl(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

function encodedLength(value: string): number {
  try {
    return encodeURI(value).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** @internal The first Apple error code the profile breaks, or `undefined` if it is valid. */
export function profileError(p: Record<string, unknown>): string | undefined {
  const name = p['profile_name'];
  if (name === undefined || name === null || (isString(name) && name.trim() === ''))
    return 'CONFIG_NAME_REQUIRED';
  if (!isString(name) || length(name) > 125) return 'CONFIG_NAME_INVALID';
  const url = p['url'];
  if (url === undefined || url === null || url === '') return 'CONFIG_URL_REQUIRED';
  if (!isString(url) || encodedLength(url) > 2000 || !isHttpUrl(url, ['https:', 'http:']))
    return 'CONFIG_URL_INVALID';
  const webUrl = p['configuration_web_url'];
  if (webUrl !== undefined && (!isString(webUrl) || !isHttpUrl(webUrl, ['https:'])))
    return 'CONFIG_URL_INVALID';
  const department = p['department'];
  if (department !== undefined && (!isString(department) || length(department) > 125))
    return 'DEPARTMENT_INVALID';
  for (const key of FLAG_KEYS) {
    if (p[key] !== undefined && typeof p[key] !== 'boolean') return 'FLAGS_INVALID';
  }
  if (p['is_mdm_removable'] === false && p['is_supervised'] !== true) return 'FLAGS_INVALID';
  const magic = p['org_magic'];
  if (magic !== undefined && (!isString(magic) || length(magic) > 256)) return 'MAGIC_INVALID';
  const email = p['support_email_address'];
  if (
    email !== undefined &&
    (!isString(email) || length(email) > 250 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
  ) {
    return 'SUPPORT_EMAIL_INVALID';
  }
  const phone = p['support_phone_number'];
  if (phone !== undefined && (!isString(phone) || length(phone) > 50))
    return 'SUPPORT_PHONE_INVALID';
  const language = p['language'];
  const region = p['region'];
  if (language !== undefined && (!isString(language) || !/^[a-z]{2,3}$/.test(language)))
    return 'LOCALE_INVALID';
  if (region !== undefined && (!isString(region) || !/^[A-Z]{2}$/.test(region)))
    return 'LOCALE_INVALID';
  for (const key of LIST_KEYS) {
    const list = p[key];
    if (list !== undefined && (!Array.isArray(list) || !list.every(isString)))
      return 'MALFORMED_REQUEST_BODY';
  }
  return undefined;
}
