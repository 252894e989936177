import { malformed } from './fail.js';

/** One BER element: where it is in the input and, when constructed, its children. @internal */
export interface Tlv {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset after the last content octet (before an end-of-contents marker). */
  readonly contentEnd: number;
  /** Offset after the element (after its end-of-contents marker when indefinite). */
  readonly end: number;
  readonly children: readonly Tlv[];
}

/** Limits of {@link readBer}. @internal */
export interface BerLimits {
  readonly maxDepth: number;
  readonly maxNodes: number;
}

/**
 * A small, strict BER reader: definite and indefinite lengths, constructed strings, multi-byte
 * tags; bounded depth and node count; every offset checked. It copies nothing: elements point
 * into the input. @internal
 */
export function readBer(bytes: Uint8Array, limits: BerLimits): Tlv {
  let nodes = 0;
  const bad = (): never => malformed('The MachineInfo is not valid BER.');

  function read(pos: number, limit: number, depth: number): Tlv {
    if (depth > limits.maxDepth) malformed('The MachineInfo nests too deeply.', 'limit');
    if (++nodes > limits.maxNodes) malformed('The MachineInfo has too many elements.', 'limit');
    const start = pos;
    if (pos >= limit) bad();
    const id = bytes[pos++] as number;
    const cls = id >> 6;
    const constructed = (id & 0x20) !== 0;
    let tag = id & 0x1f;
    if (tag === 0x1f) {
      tag = 0;
      for (let i = 0; ; i++) {
        if (pos >= limit || i > 3) bad();
        const b = bytes[pos++] as number;
        tag = tag * 128 + (b & 0x7f);
        if ((b & 0x80) === 0) break;
      }
    }
    if (pos >= limit) bad();
    const first = bytes[pos++] as number;
    const children: Tlv[] = [];
    if (first === 0x80) {
      if (!constructed) bad();
      const contentStart = pos;
      for (;;) {
        if (pos + 2 > limit) bad();
        if (bytes[pos] === 0 && bytes[pos + 1] === 0) {
          return {
            cls,
            constructed,
            tag,
            start,
            contentStart,
            contentEnd: pos,
            end: pos + 2,
            children,
          };
        }
        const child = read(pos, limit, depth + 1);
        children.push(child);
        pos = child.end;
      }
    }
    let length = first;
    if (first > 0x80) {
      const n = first & 0x7f;
      if (n > 4) bad();
      length = 0;
      for (let i = 0; i < n; i++) {
        if (pos >= limit) bad();
        length = length * 256 + (bytes[pos++] as number);
      }
    }
    const contentStart = pos;
    const contentEnd = pos + length;
    if (contentEnd > limit) bad();
    if (constructed) {
      while (pos < contentEnd) {
        const child = read(pos, contentEnd, depth + 1);
        children.push(child);
        pos = child.end;
      }
    }
    return { cls, constructed, tag, start, contentStart, contentEnd, end: contentEnd, children };
  }

  return read(0, bytes.byteLength, 0);
}

/** Universal tag numbers used here. @internal */
export const TAG = {
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  sequence: 16,
  set: 17,
} as const;

/** Whether `t` is universal `tag`. @internal */
export function isUniversal(t: Tlv | undefined, tag: number): t is Tlv {
  return t !== undefined && t.cls === 0 && t.tag === tag;
}

/** Whether `t` is context-specific `[tag]`. @internal */
export function isContextTag(t: Tlv | undefined, tag: number): t is Tlv {
  return t !== undefined && t.cls === 2 && t.tag === tag;
}

/** Dotted text of an OBJECT IDENTIFIER's content. @internal */
export function oidText(bytes: Uint8Array, t: Tlv): string {
  if (t.constructed || t.contentEnd === t.contentStart)
    malformed('An object identifier is malformed.');
  const arcs: number[] = [];
  let value = 0;
  for (let i = t.contentStart; i < t.contentEnd; i++) {
    const b = bytes[i] as number;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) malformed('An object identifier is malformed.');
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else arcs.push(value);
      value = 0;
    }
  }
  if ((bytes[t.contentEnd - 1] as number) & 0x80) malformed('An object identifier is malformed.');
  return arcs.join('.');
}
