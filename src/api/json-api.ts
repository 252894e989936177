/** A JSON:API resource object as the Apple Business Manager API returns it. */
export interface JsonApiResource<A = Record<string, unknown>> {
  /** Resource type, e.g. `orgDevices`. */
  type: string;
  /** Resource id (for `orgDevices`, the serial number). */
  id: string;
  /** Attributes (only those requested when a sparse fieldset was given). */
  attributes?: A;
  /** Relationships, as sent. */
  relationships?: Record<string, unknown>;
  /** Links, as sent. */
  links?: Record<string, unknown>;
}

/** A resource linkage `{ type, id }`. */
export interface ResourceLinkage {
  /** Resource type, e.g. `mdmServers`. */
  type: string;
  /** Resource id. */
  id: string;
}

/** Reads `data` of a JSON:API document as one resource. @internal */
export function readResource(doc: unknown): JsonApiResource | undefined {
  const data = (doc as { data?: unknown } | undefined)?.data;
  return isResource(data) ? data : undefined;
}

/** Whether `value` looks like a resource object (`type` and `id` strings). @internal */
export function isResource(value: unknown): value is JsonApiResource {
  const v = value as { type?: unknown; id?: unknown } | null;
  return (
    typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.id === 'string'
  );
}

/** Flattens a resource to `{ id, ...attributes }`. @internal */
export function flatten<T>(resource: JsonApiResource): T {
  return { ...(resource.attributes ?? {}), id: resource.id } as T;
}
