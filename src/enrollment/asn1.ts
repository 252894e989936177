import { isUniversal, oidText, TAG, type Tlv } from './ber.js';
import { malformed } from './fail.js';

/** The children of a SEQUENCE (or fails). @internal */
export function seq(t: Tlv | undefined, what: string): readonly Tlv[] {
  if (!isUniversal(t, TAG.sequence) || !t.constructed) malformed(`The ${what} is malformed.`);
  return t.children;
}

/** The children of a constructed element (or fails). @internal */
export function childrenOf(t: Tlv | undefined, what: string): readonly Tlv[] {
  if (t === undefined || !t.constructed) malformed(`The ${what} is malformed.`);
  return t.children;
}

/** An OID value (or fails). @internal */
export function oidOf(bytes: Uint8Array, t: Tlv | undefined, what: string): string {
  if (!isUniversal(t, TAG.oid)) malformed(`The ${what} is malformed.`);
  return oidText(bytes, t);
}

/** `SEQUENCE { OID, params OPTIONAL }` → the OID. @internal */
export function algorithmOid(bytes: Uint8Array, t: Tlv | undefined, what: string): string {
  const [oid] = seq(t, what);
  return oidOf(bytes, oid, what);
}

/** The whole encoding of an element (as received). @internal */
export function rawOf(bytes: Uint8Array, t: Tlv): Uint8Array {
  return bytes.subarray(t.start, t.end);
}

/** The content octets of a primitive element. @internal */
export function contentOf(bytes: Uint8Array, t: Tlv): Uint8Array {
  return bytes.subarray(t.contentStart, t.contentEnd);
}

/** The bytes of an OCTET STRING, primitive or constructed from chunks (BER). @internal */
export function octetsOf(
  bytes: Uint8Array,
  t: Tlv | undefined,
  what: string,
  depth = 0,
): Uint8Array {
  if (t === undefined || depth > 8) malformed(`The ${what} is malformed.`);
  if (depth > 0 && !isUniversal(t, TAG.octetString)) malformed(`The ${what} is malformed.`);
  if (!t.constructed) return contentOf(bytes, t);
  const parts = t.children.map((c) => octetsOf(bytes, c, what, depth + 1));
  return new Uint8Array(Buffer.concat(parts));
}

/** Byte equality. @internal */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.byteLength === b.byteLength &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    )
  );
}
