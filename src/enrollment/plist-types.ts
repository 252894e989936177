/** A property-list value as abmkit reads and writes it. */
export type PlistValue =
  | string
  | number
  | boolean
  | Date
  | Uint8Array
  | readonly PlistValue[]
  | { readonly [key: string]: PlistValue };

/** A property-list dictionary. */
export type PlistDict = { readonly [key: string]: PlistValue };
