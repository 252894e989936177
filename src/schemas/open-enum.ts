import { z } from 'zod';

/**
 * A string union that stays open: the known literals autocomplete, but any other string
 * Apple adds later is still accepted and typed.
 */
export type OpenUnion<T extends string> = T | (string & {});

/**
 * A zod schema for an open string union: validates "is a string", types as {@link OpenUnion}.
 * @internal
 */
export function openEnum<const T extends readonly string[]>(
  _known: T,
): z.ZodType<OpenUnion<T[number]>, OpenUnion<T[number]>> {
  return z.string() as unknown as z.ZodType<OpenUnion<T[number]>, OpenUnion<T[number]>>;
}
