/**
 * The root entry stays lean: zod schemas live at `abmkit/schemas`, token encryption and fault
 * injection at `abmkit/testing`, and protocol internals are not exported at all.
 */
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as schemas from '../../src/schemas/index.js';
import * as testing from '../../src/testing/index.js';

const rootNames = Object.keys(root);

describe('public surface', () => {
  it('keeps zod schemas out of the root entry and exports them from abmkit/schemas', () => {
    expect(rootNames.filter((n) => n.endsWith('Schema'))).toEqual([]);
    const names = Object.keys(schemas);
    expect(names.length).toBeGreaterThanOrEqual(16);
    for (const name of names) {
      expect(name).toMatch(/Schema$/);
      expect(typeof (schemas as Record<string, { safeParse?: unknown }>)[name]?.safeParse).toBe(
        'function',
      );
    }
  });

  it('exports no OAuth 1.0a internals, token encryption or error brand from the root', () => {
    for (const name of [
      'oauth1Header',
      'oauth1Signature',
      'oauth1SignatureBaseString',
      'parseOAuth1Header',
      'percentEncode',
      'encryptServerToken',
      'ABM_ERROR_BRAND',
    ]) {
      expect(rootNames).not.toContain(name);
    }
    expect(typeof testing.encryptServerToken).toBe('function');
  });

  it('keeps the names issues fixed, and the deprecated spelling as the same function', () => {
    for (const name of [
      'AbmClient',
      'AbmManager',
      'decryptServerToken',
      'resolveProfile',
      'MemoryStorage',
      'FileStorage',
    ]) {
      expect(rootNames).toContain(name);
    }
    expect(typeof testing.createDepSimulator).toBe('function');
    expect(root.normalizeSerial).toBe(root.normaliseSerial);
  });
});
