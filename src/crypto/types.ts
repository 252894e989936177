/** A CMS content-encryption cipher abmkit can read and write. ABM uses `aes-128-cbc`. */
export type ContentCipherName = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';

/** A CMS key-transport algorithm: RSA PKCS#1 v1.5 (what ABM uses) or RSA-OAEP. */
export type KeyTransportName = 'rsa-pkcs1' | 'rsa-oaep';

/** A hash function for RSA-OAEP (also used for MGF1). */
export type OaepHashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/**
 * How an encrypted token file is laid out:
 * - `smime`: MIME headers, a blank line, then base64 (what ABM serves as `*_smime.p7m`);
 * - `pem`: `-----BEGIN PKCS7-----` armour;
 * - `base64`: the base64 body alone;
 * - `der`: the raw BER bytes.
 */
export type TokenFileFormat = 'smime' | 'pem' | 'base64' | 'der';

/** Line endings for text output: `lf` (what ABM serves) or `crlf`. */
export type LineEnding = 'lf' | 'crlf';
