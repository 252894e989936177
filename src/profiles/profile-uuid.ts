/**
 * The canonical spelling of an ADE profile UUID: upper case, without dashes, as Apple returns it
 * (`9F4C1A0E2B3D4C5E8F7A6B5C4D3E2F1A`). Apple compares UUIDs ignoring case and dashes; abmkit
 * stores and compares them in this one form so that a policy written in lower case or with
 * dashes matches Apple's records. Non-string input is returned unchanged.
 *
 * @example
 * ```ts
 * canonicalProfileUuid('9f4c1a0e-2b3d-4c5e-8f7a-6b5c4d3e2f1a'); // '9F4C1A0E2B3D4C5E8F7A6B5C4D3E2F1A'
 * ```
 */
export function canonicalProfileUuid(uuid: string): string;
export function canonicalProfileUuid<T>(uuid: T): T;
export function canonicalProfileUuid(uuid: unknown): unknown {
  return typeof uuid === 'string' ? uuid.replace(/-/g, '').toUpperCase() : uuid;
}
