/**
 * Recognises redirects that abmkit refuses (it follows none: a redirect would carry a session,
 * a bearer token or a client assertion to another host). Shared by the ADE transport and the
 * Business API client, which each word their own `RedirectError`.
 * @internal
 */

/** A 3xx answer, or one that a caller-supplied fetch followed or hid despite `redirect: 'manual'`. @internal */
export function isRedirect(response: Response): boolean {
  return (
    (response.status >= 300 && response.status < 400) ||
    response.type === 'opaqueredirect' ||
    response.redirected
  );
}

/** Where a redirect of a request to `url` came from and pointed to. @internal */
export interface RedirectTarget {
  /** Origin of the request. */
  from: string;
  /** Origin the redirect names (or the fetch followed), when it can be parsed. */
  to: string | undefined;
  /** The 3xx status, or `0` when the fetch implementation followed the redirect itself. */
  status: number;
}

/** The origins and status of a redirect answer to a request for `url`. @internal */
export function redirectTarget(response: Response, url: string): RedirectTarget {
  return {
    from: new URL(url).origin,
    to: response.redirected
      ? originOf(response.url, url)
      : originOf(response.headers.get('location'), url),
    status: response.redirected ? 0 : response.status,
  };
}

function originOf(value: string | null, base: string): string | undefined {
  if (value === null || value === '') return undefined;
  try {
    return new URL(value, base).origin;
  } catch {
    return undefined;
  }
}
