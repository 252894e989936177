import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptServerToken } from '../../src/crypto/encrypt-server-token.js';
import {
  decryptServerToken,
  generateKeyPair,
  type KeyPair,
  type ServerToken,
} from '../../src/crypto/index.js';
import { redactingLogger } from '../../src/internal/logger.js';
import {
  abmPayload,
  forgeEncrypt,
  secretFragments,
  syntheticToken,
} from '../unit/crypto/helpers.js';

const canary = syntheticToken('privacycanary');
const fragments = secretFragments(canary);
let keys: KeyPair;
let other: KeyPair;
let token: ServerToken;

function expectNoSecrets(output: string): void {
  for (const fragment of fragments) expect(output).not.toContain(fragment);
}

function captureConsole(run: (c: Console) => void): string {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  run(new Console({ stdout: sink, stderr: sink }));
  return out;
}

beforeAll(async () => {
  [keys, other] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  token = await decryptServerToken(
    await encryptServerToken(canary, keys.certificatePem),
    keys.privateKeyPem,
  );
});

describe('a decrypted ServerToken never prints its secrets', () => {
  it('is still usable by code', () => {
    expect(token.accessSecret).toBe(canary.accessSecret);
  });

  it('console.log / console.dir / console.error, alone and nested', () => {
    const out = captureConsole((c) => {
      c.log(token);
      c.log('token: %s %o %O %j', token, token, token, token);
      c.dir({ a: { b: { c: { d: token } } } }, { depth: null });
      c.error([token, new Map([['t', token]]), new Set([token])]);
      c.table([token]);
    });
    expect(out).toContain(canary.consumerKey);
    expect(out).toContain('[REDACTED]');
    expectNoSecrets(out);
  });

  it('util.inspect at any depth and with every option', () => {
    const outputs = [
      inspect(token),
      inspect({ deep: [[[[[[token]]]]]] }, { depth: Number.POSITIVE_INFINITY }),
      inspect(token, { showHidden: true, getters: true, depth: Number.POSITIVE_INFINITY }),
      // Even with the custom view switched off. (Only customInspect:false together with
      // showHidden AND getters evaluates the prototype getters; that is an explicit opt-out.)
      inspect(token, { customInspect: false, getters: true, depth: Number.POSITIVE_INFINITY }),
      inspect(token, { customInspect: false, showHidden: true }),
      inspect(Object.getPrototypeOf(token), { showHidden: true, getters: true }),
      format('%s|%o|%O|%j|%d', token, token, token, token, token),
    ];
    expectNoSecrets(outputs.join('\n'));
  });

  it('JSON.stringify, template strings, String(), keys, entries, spread and structuredClone', () => {
    const outputs = [
      JSON.stringify(token),
      JSON.stringify({ nested: [token] }, null, 2),
      `${token}`,
      String(token),
      `${Object.keys(token)}`,
      JSON.stringify(Object.entries(token)),
      JSON.stringify({ ...token }),
      JSON.stringify(Object.assign({}, token)),
      inspect(structuredClone(token)),
      JSON.stringify(Object.getOwnPropertyNames(token)),
    ];
    expectNoSecrets(outputs.join('\n'));
  });

  it("abmkit's redacting logger", () => {
    const lines: unknown[] = [];
    const sink = (...args: unknown[]) => lines.push(args);
    const logger = redactingLogger({ error: sink, warn: sink, info: sink, debug: sink });
    logger.info({ token, nested: { token } }, 'token decrypted');
    logger.error({ err: new Error(`wrapped ${String(token)}`) }, 'failed');
    expectNoSecrets(inspect(lines, { depth: Number.POSITIVE_INFINITY }) + JSON.stringify(lines));
  });
});

describe('decryption errors never carry secrets or plaintext', () => {
  const base = {
    consumer_key: canary.consumerKey,
    consumer_secret: canary.consumerSecret,
    access_token: canary.accessToken,
    access_secret: canary.accessSecret,
    access_token_expiry: '2027-03-04T05:06:07Z',
  };

  async function errorText(file: string | Uint8Array, key = keys.privateKeyPem): Promise<string> {
    const error = await decryptServerToken(file, key).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as Error,
    );
    return [
      error.message,
      error.stack,
      JSON.stringify(error),
      inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      String(error.cause),
    ].join('\n');
  }

  it('wrong key, corrupted payload, invalid fields, non-JSON and broken MIME', async () => {
    const texts = [
      await errorText(await encryptServerToken(canary, keys.certificatePem), other.privateKeyPem),
      await errorText(
        forgeEncrypt(
          abmPayload(canary, JSON.stringify({ ...base, access_token_expiry: 'x' })),
          keys.certificatePem,
        ),
      ),
      await errorText(
        forgeEncrypt(
          abmPayload(canary, JSON.stringify({ ...base, consumer_key: '' })),
          keys.certificatePem,
        ),
      ),
      await errorText(
        forgeEncrypt(
          abmPayload(
            canary,
            JSON.stringify({ ...base, access_secret: `${canary.accessSecret}\u0007` }),
          ),
          keys.certificatePem,
        ),
      ),
      await errorText(
        forgeEncrypt(abmPayload(canary, `${JSON.stringify(base)} trailing`), keys.certificatePem),
      ),
      await errorText(
        forgeEncrypt(
          `${canary.accessSecret}: x\r\nbroken header\r\n\r\n${abmPayload(canary).split('\r\n\r\n')[1]}`,
          keys.certificatePem,
        ),
      ),
      await errorText(forgeEncrypt(`no markers ${canary.accessToken}`, keys.certificatePem)),
    ];
    expectNoSecrets(texts.join('\n'));
    // nor key material
    const keyBody = keys.privateKeyPem.split('\n')[5] ?? 'unreachable';
    for (const text of texts) expect(text).not.toContain(keyBody);
  });

  it('a certificate or garbage passed as the key is not echoed', async () => {
    const file = await encryptServerToken(canary, keys.certificatePem);
    const certLine = keys.certificatePem.split('\n')[3] ?? 'unreachable';
    const text = await errorText(file, keys.certificatePem);
    expect(text).not.toContain(certLine);
    const garbage = `-----BEGIN PRIVATE KEY-----\n${canary.accessSecret}\n-----END PRIVATE KEY-----\n`;
    expectNoSecrets(await errorText(file, garbage));
  });
});
