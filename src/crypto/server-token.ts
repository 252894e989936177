/**
 * The OAuth 1.0a credentials inside an ADE server token, as decrypted by `decryptServerToken`.
 *
 * The secret fields are readable by code, but a `ServerToken` created by abmkit never shows
 * them in `console.log`, `util.inspect`, `JSON.stringify` or error messages.
 */
export interface ServerToken {
  /** OAuth consumer key (`CK_…`). Identifies the MDM server in ABM; not secret. */
  readonly consumerKey: string;
  /** OAuth consumer secret (`CS_…`). Secret. */
  readonly consumerSecret: string;
  /** OAuth access token (`AT_…`). Secret. */
  readonly accessToken: string;
  /** OAuth access secret (`AS_…`). Secret. */
  readonly accessSecret: string;
  /** When the token stops working (about one year after download). */
  readonly accessTokenExpiry: Date;
}

/**
 * The plain fields of a server token, as accepted by `encryptServerToken` and
 * `createServerToken`. Unlike a {@link ServerToken} built by abmkit, a plain object shows
 * its secrets wherever it is printed: keep it short-lived.
 */
export interface ServerTokenInput {
  /** OAuth consumer key (`CK_…`). */
  consumerKey: string;
  /** OAuth consumer secret (`CS_…`). */
  consumerSecret: string;
  /** OAuth access token (`AT_…`). */
  accessToken: string;
  /** OAuth access secret (`AS_…`). */
  accessSecret: string;
  /** When the token stops working. */
  accessTokenExpiry: Date;
}
