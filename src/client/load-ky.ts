/** The ky module, imported on the first request rather than with the package. */
let ky: Promise<typeof import('ky')> | undefined;

/**
 * ky, loaded lazily: importing abmkit does not pay for it, the first request does (once per
 * process; the module-level promise is the only state).
 * @internal
 */
export function loadKy(): Promise<typeof import('ky')> {
  ky ??= import('ky');
  return ky;
}

/**
 * ky's `isHTTPError` without loading ky: its `HTTPError` names itself `HTTPError`, which is what
 * ky's own guard checks besides `instanceof`.
 * @internal
 */
export function isHTTPError(error: unknown): error is import('ky').HTTPError {
  return (error as { name?: unknown } | null | undefined)?.name === 'HTTPError';
}
