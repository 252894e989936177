import { VERSION } from '../../internal/version.js';
import type { AbmManager } from '../../manager/abm-manager.js';
import type { AbmManagerOptions } from '../../manager/types.js';
import { UsageError } from './exit.js';
import { parseKey } from './key.js';
import type { OpenedStore } from './store.js';

/** The options every command accepts (`abmkit --help`). */
export interface GlobalOptions {
  store?: string | undefined;
  baseUrl?: string | undefined;
  json?: boolean | undefined;
  debug?: boolean | undefined;
}

/** What a command works with: the store, a manager over it, where output goes. */
export interface CliContext {
  store: OpenedStore;
  manager: AbmManager;
  baseUrl: string | undefined;
  json: boolean;
}

/** The environment and streams a run uses (injectable for tests of the pieces). */
export interface CliEnv {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Resolves `--base-url` / `ABMKIT_BASE_URL`, checking it is an absolute http(s) URL. */
export function resolveBaseUrl(opts: GlobalOptions, env: NodeJS.ProcessEnv): string | undefined {
  return resolveUrlOption(opts.baseUrl ?? env['ABMKIT_BASE_URL'], '--base-url / ABMKIT_BASE_URL');
}

/**
 * Checks a URL option (`label` names the flag and the variable in the usage error): `undefined`
 * when unset or empty, else the absolute http(s) URL without trailing slashes.
 */
export function resolveUrlOption(raw: string | undefined, label: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${label} must be an absolute URL, e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${label} must be an http:// or https:// URL`);
  }
  return raw.replace(/\/+$/, '');
}

/** Opens the store and a manager; `run` gets them and they are closed afterwards. */
export async function withContext<T>(
  opts: GlobalOptions,
  env: NodeJS.ProcessEnv,
  run: (ctx: CliContext) => Promise<T>,
  managerOptions: Partial<AbmManagerOptions> = {},
): Promise<T> {
  const key = parseKey(env['ABMKIT_KEY']);
  const baseUrl = resolveBaseUrl(opts, env);
  // Loaded on first use, so that --help, --version and usage errors start fast.
  const [{ openStore }, { AbmManager }] = await Promise.all([
    import('./store.js'),
    import('../../manager/abm-manager.js'),
  ]);
  const store = await openStore(opts.store ?? env['ABMKIT_STORE'], key);
  const manager = new AbmManager({
    storage: store.storage,
    userAgent: `abmkit-cli/${VERSION}`,
    telemetry: false,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...managerOptions,
  });
  try {
    return await run({ store, manager, baseUrl, json: opts.json === true });
  } finally {
    await manager.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
  }
}
