import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lazy, loadZod } from '../../../src/internal/zod.js';
import { adeDeviceSchema } from '../../../src/schemas/index.js';

describe('zod on first use', () => {
  it('is the zod instance `import "zod"` gives, so abmkit/schemas composes with it', () => {
    expect(loadZod()).toBe(z);
    expect(adeDeviceSchema).toBeInstanceOf(z.ZodObject);
    expect(
      z.object({ device: adeDeviceSchema }).parse({ device: { serial_number: 'C02X' } }),
    ).toEqual({ device: { serial_number: 'C02X' } });
  });

  it('builds a lazy value once, on the first call', () => {
    let builds = 0;
    const schema = lazy((zod) => {
      builds++;
      return zod.string();
    });
    expect(builds).toBe(0);
    expect(schema()).toBe(schema());
    expect(builds).toBe(1);
  });
});
