/**
 * The package version, used in the default `User-Agent`. Kept in sync with package.json by
 * `test/package/version.test.ts`.
 * @internal
 */
export const VERSION = '0.1.0';
