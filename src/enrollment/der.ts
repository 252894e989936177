/** A minimal DER writer for the structures abmkit signs. @internal */

function lengthOf(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A TLV with `tag` around the concatenated `parts`. @internal */
export function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), lengthOf(body.length), body]);
}

/** SEQUENCE. @internal */
export const derSequence = (...parts: Uint8Array[]): Buffer => tlv(0x30, ...parts);

/** SET OF, elements sorted by encoding as DER requires. @internal */
export const derSetOf = (...parts: Uint8Array[]): Buffer =>
  tlv(0x31, ...[...parts].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));

/** A small non-negative INTEGER. @internal */
export const derSmallInt = (n: number): Buffer => tlv(0x02, Buffer.from([n]));

/** OCTET STRING. @internal */
export const derOctets = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);

/** NULL. @internal */
export const derNull = (): Buffer => Buffer.from([0x05, 0x00]);

/** OBJECT IDENTIFIER from dotted text. @internal */
export function derOid(oid: string): Buffer {
  const [a = 0, b = 0, ...rest] = oid.split('.').map(Number);
  const out: number[] = [a * 40 + b];
  for (const arc of rest) {
    const group: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128))
      group.unshift((v & 0x7f) | 0x80);
    out.push(...group);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime (years 1950–2049). @internal */
export function derUtcTime(date: Date): Buffer {
  const iso = date.toISOString();
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

/** `[n]` EXPLICIT / constructed context tag. @internal */
export const derContext = (n: number, ...parts: Uint8Array[]): Buffer => tlv(0xa0 + n, ...parts);
