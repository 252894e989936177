/**
 * Device sync with `AbmClient`: a full fetch, then incremental syncs from a stored cursor, and
 * profile assignment for newly added devices.
 *
 *   ABM_TOKEN=path/to/Server_Token_smime.p7m ABM_KEY=path/to/key.pem npx tsx examples/client-sync.ts
 *
 * Without ABM_TOKEN/ABM_KEY it runs against the ADE simulator from `abmkit/testing`.
 */
import { readFile } from 'node:fs/promises';
import {
  AbmClient,
  type AbmLogger,
  decryptServerToken,
  generateKeyPair,
  isAbmError,
  type ServerToken,
} from 'abmkit';
import { createDepSimulator } from 'abmkit/testing';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

// Any pino-compatible logger works; abmkit redacts secrets before calling it.
const logger: AbmLogger = {
  error: (o: object | string, m?: string) => out(`error ${m ?? ''} ${JSON.stringify(o)}`),
  warn: (o: object | string, m?: string) => out(`warn  ${m ?? ''} ${JSON.stringify(o)}`),
  info: () => {},
  debug: () => {},
};

async function connect(): Promise<{
  token: ServerToken;
  baseUrl?: string;
  stop: () => Promise<void>;
}> {
  const tokenPath = process.env['ABM_TOKEN'];
  const keyPath = process.env['ABM_KEY'];
  if (tokenPath && keyPath) {
    const token = await decryptServerToken(
      await readFile(tokenPath),
      await readFile(keyPath, 'utf8'),
    );
    return { token, stop: async () => {} };
  }
  const sim = createDepSimulator({ devices: 2500 });
  const keys = await generateKeyPair();
  const issued = await sim.issueServerToken(keys.certificatePem);
  const token = await decryptServerToken(issued.file, keys.privateKeyPem);
  return { token, baseUrl: await sim.listen(), stop: () => sim.close() };
}

async function main(): Promise<void> {
  const { token, baseUrl, stop } = await connect();
  const client = new AbmClient({
    token,
    ...(baseUrl ? { baseUrl } : {}),
    userAgent: 'ExampleMdm/1.0',
    logger,
  });
  try {
    const account = await client.getAccount();
    out(`MDM server "${account.server_name}" of ${account.org_name ?? 'unknown org'}`);

    const { profile_uuid } = await client.defineProfile({
      profile_name: 'Example staff devices',
      url: 'https://mdm.example.com/enroll',
      is_supervised: true,
      skip_setup_items: ['Siri', 'Diagnostics'],
    });

    // A real integration persists the cursor (after applying each page) and resumes from it.
    let cursor: string | undefined;
    for await (const page of client.devicePages({ limit: 1000 })) {
      if (page.restarted) out('cursor was rejected: a full fetch restarted, devices repeat');
      const added = page.devices
        .filter((d) => page.phase === 'fetch' || d.op_type === 'added')
        .map((d) => d.serial_number);
      if (added.length > 0) {
        const result = await client.assignProfile(profile_uuid, added);
        const throttled = Object.values(result.devices).filter((s) => s === 'THROTTLED').length;
        out(
          `${page.phase} page: ${page.devices.length} devices, assigned ${added.length - throttled}, throttled ${throttled}, unanswered ${result.missing.length}`,
        );
      }
      cursor = page.cursor;
      if (page.stalled) out('Apple repeated the cursor; stopping until the next run');
    }
    out(`stored cursor: ${cursor ? `${cursor.slice(0, 12)}…` : '(none)'}`);
  } catch (error) {
    if (isAbmError(error)) {
      switch (error.code) {
        case 'TERMS_NOT_SIGNED':
        case 'TOKEN_EXPIRED':
        case 'TOKEN_REJECTED':
        case 'ACCESS_DENIED':
          out(`admin action needed (${error.code}): ${error.message}`);
          break;
        default:
          out(`failed (${error.code}): ${error.message}`);
      }
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    await stop();
  }
}

await main();
