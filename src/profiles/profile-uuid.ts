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

/**
 * Whether two profile UUIDs name the same profile the way Apple compares them (ignoring case and
 * dashes). `false` when either is not a string. The one comparer of the planner and the engine.
 * @internal
 */
export function sameProfileUuid(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return a === b || canonicalProfileUuid(a) === canonicalProfileUuid(b);
}
