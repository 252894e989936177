import type { z } from 'zod';
import { loadZod } from '../internal/zod.js';

/**
 * A string union that stays open: the known literals autocomplete, but any other string
 * Apple adds later is still accepted and typed.
 */
export type OpenUnion<T extends string> = T | (string & {});

/**
 * A zod schema for an open string union: validates "is a string", types as {@link OpenUnion}.
 * Called while building a schema (zod is loaded by then).
 * @internal
 */
export function openEnum<const T extends readonly string[]>(
  _known: T,
): z.ZodType<OpenUnion<T[number]>, OpenUnion<T[number]>> {
  return loadZod().string() as unknown as z.ZodType<OpenUnion<T[number]>, OpenUnion<T[number]>>;
}
