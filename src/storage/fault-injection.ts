/**
 * Test-only fault injection: `betweenWrites` runs inside an atomic operation after the device
 * writes were prepared (or issued, inside a database transaction) and before the cursor/commit.
 * Throwing from it simulates a crash at the worst moment; the store must then show neither the
 * devices nor the cursor move (or, for a non-atomic adapter, at least not the cursor).
 */
export interface FaultInjection {
  /** Called between the two writes of `operation` (`'applyPage'`) for `tokenId`. */
  betweenWrites?: ((operation: 'applyPage', tokenId: string) => void | Promise<void>) | undefined;
}

/** Adapter options carrying a {@link FaultInjection} (for tests and the conformance suite). */
export interface FaultInjectionOptions {
  /** See {@link FaultInjection}. Never set this in production. */
  faultInjection?: FaultInjection | undefined;
}
