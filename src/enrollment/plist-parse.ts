import { malformed } from './fail.js';
import { MAX_PLIST_BYTES, MAX_PLIST_DEPTH, MAX_PLIST_ELEMENTS } from './limits.js';
import type { PlistDict, PlistValue } from './plist-types.js';

const NAMED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

function bad(what: string): never {
  return malformed(`The signed MachineInfo is not a valid XML property list: ${what}.`, 'plist');
}

/**
 * A strict reader for the XML property-list subset Apple devices send. No DTD processing: a
 * DOCTYPE is skipped only when it has no internal subset, and only the five predefined entities
 * and character references are decoded, so no entity expansion can happen. Bounded in size,
 * depth and element count.
 */
class PlistReader {
  #pos = 0;
  #elements = 0;
  constructor(readonly text: string) {}

  #skipSpace(): void {
    while (this.#pos < this.text.length) {
      const c = this.text.charCodeAt(this.#pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.#pos++;
      else if (this.text.startsWith('<!--', this.#pos)) {
        const end = this.text.indexOf('-->', this.#pos + 4);
        if (end < 0) bad('unterminated comment');
        this.#pos = end + 3;
      } else return;
    }
  }

  prolog(): void {
    if (this.text.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.#skipSpace();
    if (this.text.startsWith('<?xml', this.#pos)) {
      const end = this.text.indexOf('?>', this.#pos);
      if (end < 0) bad('unterminated XML declaration');
      const decl = this.text.slice(this.#pos, end);
      const enc = /encoding\s*=\s*["']([^"']+)["']/i.exec(decl);
      if (enc && !/^utf-?8$/i.test(enc[1] as string)) bad('only UTF-8 is supported');
      this.#pos = end + 2;
    }
    this.#skipSpace();
    if (this.text.startsWith('<!DOCTYPE', this.#pos)) {
      const end = this.text.indexOf('>', this.#pos);
      if (end < 0) bad('unterminated DOCTYPE');
      if (this.text.slice(this.#pos, end).includes('[')) bad('DTD internal subsets are refused');
      this.#pos = end + 1;
    }
    this.#skipSpace();
  }

  /** Reads `<name attrs>` / `<name/>`; returns the name and whether it was self-closing. */
  #open(): { name: string; empty: boolean } {
    this.#skipSpace();
    if (this.text[this.#pos] !== '<' || this.text[this.#pos + 1] === '/') bad('element expected');
    const end = this.text.indexOf('>', this.#pos);
    if (end < 0) bad('unterminated tag');
    let inner = this.text.slice(this.#pos + 1, end);
    const empty = inner.endsWith('/');
    if (empty) inner = inner.slice(0, -1);
    const name = /^[A-Za-z][A-Za-z0-9]*/.exec(inner)?.[0];
    if (name === undefined) bad('bad tag');
    this.#pos = end + 1;
    if (++this.#elements > MAX_PLIST_ELEMENTS) {
      malformed('The signed MachineInfo has too many plist elements.', 'limit');
    }
    return { name, empty };
  }

  #close(name: string): void {
    this.#skipSpace();
    const tag = `</${name}`;
    if (!this.text.startsWith(tag, this.#pos)) bad(`</${name}> expected`);
    this.#pos += tag.length;
    this.#skipSpace();
    if (this.text[this.#pos] !== '>') bad(`</${name}> expected`);
    this.#pos++;
  }

  #text(name: string): string {
    const end = this.text.indexOf('<', this.#pos);
    if (end < 0) bad('unterminated element');
    const raw = this.text.slice(this.#pos, end);
    this.#pos = end;
    this.#close(name);
    return raw.replace(
      /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});|&/g,
      (_, ref: string | undefined) => {
        if (ref === undefined) return bad('stray "&"');
        if (ref.startsWith('#')) {
          const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
          if (!(code >= 1 && code <= 0x10ffff)) bad('bad character reference');
          return String.fromCodePoint(code);
        }
        const named = NAMED[ref];
        if (named === undefined) bad('entity references are refused');
        return named;
      },
    );
  }

  value(depth: number): PlistValue {
    if (depth > MAX_PLIST_DEPTH) malformed('The signed MachineInfo nests too deeply.', 'limit');
    const { name, empty } = this.#open();
    switch (name) {
      case 'dict':
        return empty ? Object.create(null) : this.#dict(depth);
      case 'array':
        return empty ? [] : this.#array(depth);
      case 'true':
      case 'false':
        if (!empty) this.#close(name);
        return name === 'true';
      case 'string':
      case 'key':
        return empty ? '' : this.#text(name);
      case 'integer': {
        const t = empty ? '' : this.#text(name).trim();
        if (!/^[+-]?\d{1,16}$/.test(t)) bad('bad integer');
        const n = Number(t);
        if (!Number.isSafeInteger(n)) bad('integer out of range');
        return n;
      }
      case 'real': {
        const n = Number(empty ? '' : this.#text(name).trim());
        if (!Number.isFinite(n)) bad('bad real');
        return n;
      }
      case 'date': {
        const t = empty ? '' : this.#text(name).trim();
        const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(t) ? Date.parse(t) : Number.NaN;
        if (!Number.isFinite(ms)) bad('bad date');
        return new Date(ms);
      }
      case 'data': {
        const t = (empty ? '' : this.#text(name)).replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1) bad('bad data');
        return new Uint8Array(Buffer.from(t, 'base64'));
      }
      default:
        return bad(`unknown element <${name}>`);
    }
  }

  #atClose(name: string): boolean {
    this.#skipSpace();
    return this.text.startsWith(`</${name}`, this.#pos);
  }

  #dict(depth: number): PlistDict {
    const out: Record<string, PlistValue> = Object.create(null);
    while (!this.#atClose('dict')) {
      const { name, empty } = this.#open();
      if (name !== 'key') bad('<key> expected in <dict>');
      const key = empty ? '' : this.#text('key');
      if (Object.hasOwn(out, key)) bad(`duplicate key "${key.slice(0, 40)}"`);
      out[key] = this.value(depth + 1);
    }
    this.#close('dict');
    return out;
  }

  #array(depth: number): PlistValue[] {
    const out: PlistValue[] = [];
    while (!this.#atClose('array')) out.push(this.value(depth + 1));
    this.#close('array');
    return out;
  }

  root(): PlistValue {
    this.prolog();
    const { name, empty } = this.#open();
    if (name !== 'plist' || empty) bad('<plist> root expected');
    const value = this.value(1);
    this.#close('plist');
    this.#skipSpace();
    if (this.#pos !== this.text.length) bad('content after </plist>');
    return value;
  }
}

/** Parses an XML property list (UTF-8 bytes) strictly. @internal */
export function parseXmlPlist(bytes: Uint8Array): PlistValue {
  if (bytes.byteLength > MAX_PLIST_BYTES) {
    malformed('The signed MachineInfo plist is too large.', 'limit');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    return malformed('The signed MachineInfo is not UTF-8 text.', 'plist', cause);
  }
  return new PlistReader(text).root();
}
