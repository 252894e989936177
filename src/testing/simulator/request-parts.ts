import type { SimRequest } from './types.js';

/** The request path without its query and trailing slash (`/` stays `/`). @internal */
export function normalisePath(path: string): string {
  const bare = path.split('?')[0] ?? '';
  return bare.length > 1 && bare.endsWith('/') ? bare.slice(0, -1) : bare || '/';
}

/** The request headers with lower-case names, unset ones dropped. @internal */
export function lowerHeaders(headers: SimRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}
