/** Largest token file accepted, in bytes or characters. Real ABM tokens are about 1.5 KiB. @internal */
export const MAX_TOKEN_FILE_SIZE = 64 * 1024;

/** Largest private-key PEM accepted, in characters (an RSA-4096 PKCS#8 PEM is about 3.3 KB). @internal */
export const MAX_PRIVATE_KEY_SIZE = 16 * 1024;

/** BER parser limits for token files: far below asn1js's defaults, far above what a token needs. @internal */
export const BER_LIMITS = {
  maxDepth: 24,
  maxNodes: 1024,
  maxContentLength: MAX_TOKEN_FILE_SIZE,
  // Do not speculatively parse OCTET STRING contents as nested BER.
  parseEmbedded: false,
} as const;

/** Most recipients examined in one EnvelopedData. @internal */
export const MAX_RECIPIENTS = 16;
