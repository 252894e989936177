import * as asn1js from 'asn1js';
import { malformed } from './fail.js';

const CONTEXT = 3;

/** The children of a SEQUENCE (or fails). @internal */
export function seq(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(node instanceof asn1js.Sequence)) malformed(`The ${what} is malformed.`);
  return node.valueBlock.value;
}

/** Whether `node` is a context-specific tag `[tag]`. @internal */
export function isContext(node: asn1js.AsnType | undefined, tag: number): node is asn1js.BaseBlock {
  return node?.idBlock.tagClass === CONTEXT && node.idBlock.tagNumber === tag;
}

/** The children of a constructed node (or fails). @internal */
export function childrenOf(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(node instanceof asn1js.Constructed) && !(node instanceof asn1js.Set)) {
    if (node === undefined || !node.idBlock.isConstructed) malformed(`The ${what} is malformed.`);
  }
  const value = (node as asn1js.Constructed).valueBlock.value;
  if (!Array.isArray(value)) malformed(`The ${what} is malformed.`);
  return value;
}

/** An OID value (or fails). @internal */
export function oidOf(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) malformed(`The ${what} is malformed.`);
  return node.getValue();
}

/** `SEQUENCE { OID, params OPTIONAL }` → the OID. @internal */
export function algorithmOid(node: asn1js.AsnType | undefined, what: string): string {
  const [oid] = seq(node, what);
  return oidOf(oid, what);
}

/** The original encoding of a node (as received, BER kept). @internal */
export function rawOf(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array((node as asn1js.BaseBlock).valueBeforeDecodeView);
}

/** The bytes of an OCTET STRING, primitive or constructed from chunks (BER). @internal */
export function octetsOf(node: asn1js.AsnType | undefined, what: string, depth = 0): Uint8Array {
  if (node === undefined || depth > 8) malformed(`The ${what} is malformed.`);
  const universalOctets = node.idBlock.tagClass === 1 && node.idBlock.tagNumber === 4;
  if (!universalOctets && depth > 0) malformed(`The ${what} is malformed.`);
  if (!node.idBlock.isConstructed) {
    return new Uint8Array((node as asn1js.Primitive).valueBlock.valueHexView);
  }
  const parts = childrenOf(node, what).map((c) => octetsOf(c, what, depth + 1));
  return new Uint8Array(Buffer.concat(parts));
}

/** Byte equality. @internal */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
}
