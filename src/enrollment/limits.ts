/** Largest signed MachineInfo accepted, in bytes (real ones are 3–5 KiB). @internal */
export const MAX_MACHINE_INFO_BYTES = 64 * 1024;

/** Largest base64 text accepted (header or body), in characters. @internal */
export const MAX_MACHINE_INFO_BASE64 = Math.ceil((MAX_MACHINE_INFO_BYTES * 4) / 3) + 64;

/** BER parser limits: far above what a MachineInfo needs, far below asn1js's defaults. @internal */
export const SIGNED_DATA_BER_LIMITS = { maxDepth: 32, maxNodes: 4096 } as const;

/** Most certificates read from the bag. @internal */
export const MAX_BAG_CERTIFICATES = 10;

/** Longest chain walked from the signer to an anchor (intermediates from the bag). @internal */
export const MAX_CHAIN_LENGTH = 5;

/** Largest plist (the signed content) accepted, in bytes. @internal */
export const MAX_PLIST_BYTES = 32 * 1024;

/** Deepest plist nesting accepted (MachineInfo is one flat dictionary). @internal */
export const MAX_PLIST_DEPTH = 8;

/** Most plist elements accepted. @internal */
export const MAX_PLIST_ELEMENTS = 2048;
