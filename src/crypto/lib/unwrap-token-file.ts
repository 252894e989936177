import { TokenFormatError } from '../../errors/index.js';
import { MAX_TOKEN_FILE_SIZE } from './limits.js';
import { decodeBase64Strict, isBase64Text, pemBody } from './text.js';

const NOT_A_TOKEN =
  'Pass the server token file exactly as downloaded from Apple Business Manager (the *_smime.p7m file), its base64 body, a PKCS7 PEM, or its DER bytes.';

function formatError(what: string): TokenFormatError {
  return new TokenFormatError(`${what} ${NOT_A_TOKEN}`);
}

/** Splits a MIME entity into its (unfolded, lower-cased) headers and body; LF or CRLF. */
function splitMime(text: string): { headers: Map<string, string>; body: string } | undefined {
  const match = /\r?\n\r?\n/.exec(text);
  if (match === null) return undefined;
  const head = text.slice(0, match.index).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9-]+$/.test(line.slice(0, colon))) return undefined;
    headers.set(
      line.slice(0, colon).toLowerCase(),
      line
        .slice(colon + 1)
        .trim()
        .toLowerCase(),
    );
  }
  return { headers, body: text.slice(match.index + match[0].length) };
}

function unwrapSmime(text: string): Uint8Array {
  const mime = splitMime(text);
  if (mime === undefined)
    throw formatError('The file looks like MIME but its headers are malformed.');
  const type = mime.headers.get('content-type') ?? '';
  if (!/^application\/(x-)?pkcs7-mime\b/.test(type)) {
    throw formatError('The file is a MIME message but not an S/MIME encrypted one.');
  }
  const encoding = mime.headers.get('content-transfer-encoding') ?? 'base64';
  if (encoding !== 'base64') {
    throw formatError('The S/MIME file is not base64-encoded.');
  }
  const der = decodeBase64Strict(mime.body);
  if (der === undefined) throw formatError('The S/MIME body is not valid base64.');
  return der;
}

function unwrapText(raw: string): Uint8Array {
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text.length === 0) throw formatError('The token file is empty.');
  if (text.includes('-----BEGIN ')) {
    const body = pemBody(text, ['PKCS7', 'CMS']);
    if (body === undefined) {
      throw formatError(
        text.includes('PRIVATE KEY') || text.includes('CERTIFICATE')
          ? 'This is a key or certificate, not a server token.'
          : 'The PEM block is not a complete PKCS7 block.',
      );
    }
    const der = decodeBase64Strict(body);
    if (der === undefined) throw formatError('The PKCS7 PEM body is not valid base64.');
    return der;
  }
  if (/^[A-Za-z0-9-]+:/.test(text)) return unwrapSmime(text);
  if (!isBase64Text(text)) throw formatError('The file is not a server token.');
  const der = decodeBase64Strict(text);
  if (der === undefined) throw formatError('The file is not valid base64.');
  return der;
}

/**
 * Turns any accepted token-file shape into the BER bytes of its CMS ContentInfo: S/MIME
 * (`application/pkcs7-mime` or `application/x-pkcs7-mime`, LF or CRLF), bare base64,
 * `-----BEGIN PKCS7-----` PEM, or raw DER/BER bytes (text given as bytes is unwrapped too).
 * Inputs over {@link MAX_TOKEN_FILE_SIZE} are refused before any parsing.
 * @internal
 */
export function unwrapTokenFile(file: unknown): Uint8Array {
  if (typeof file === 'string') {
    if (file.length > MAX_TOKEN_FILE_SIZE) {
      throw formatError(
        `The file is larger than ${MAX_TOKEN_FILE_SIZE} bytes; ABM tokens are about 2 KB.`,
      );
    }
    return unwrapText(file);
  }
  if (!(file instanceof Uint8Array)) {
    throw formatError('The token must be a string or a Uint8Array/Buffer.');
  }
  if (file.byteLength > MAX_TOKEN_FILE_SIZE) {
    throw formatError(
      `The file is larger than ${MAX_TOKEN_FILE_SIZE} bytes; ABM tokens are about 2 KB.`,
    );
  }
  if (file.byteLength === 0) throw formatError('The token file is empty.');
  // BER of a ContentInfo starts with a SEQUENCE tag; text shapes start with a letter, '-' or a BOM.
  if (file[0] === 0x30) return file;
  return unwrapText(Buffer.from(file.buffer, file.byteOffset, file.byteLength).toString('utf8'));
}
