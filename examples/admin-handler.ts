/**
 * Mount abmkit's admin API in your MDM server: `createAdminHandler(manager, { authorize })` is a
 * web-standard `(Request) => Promise<Response>`; `toNodeHandler` adapts it to `node:http`.
 * Here it runs against the ADE simulator and walks the token wizard over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AbmManager, MemoryStorage } from 'abmkit';
import { createAdminHandler, toNodeHandler } from 'abmkit/admin';
import { createDepSimulator } from 'abmkit/testing';

const ADMIN_TOKEN = randomBytes(16).toString('hex');

const sim = createDepSimulator({ devices: 200, seed: 7 });
const baseUrl = await sim.listen();
const storage = new MemoryStorage({ encryptionKey: randomBytes(32) });
const manager = new AbmManager({ storage, baseUrl });

const admin = createAdminHandler(manager, {
  // Your own auth: session cookie, SSO, API key… Every request goes through it.
  authorize: (req) => req.headers.get('authorization') === `Bearer ${ADMIN_TOKEN}`,
  basePath: '/admin/abm',
  storage, // lets the wizard find a pending key pair again after a restart
});
const server = createServer(toNodeHandler(admin));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
const api = `http://127.0.0.1:${port}/admin/abm`;
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    ...(body === undefined
      ? {}
      : {
          body:
            body instanceof Uint8Array || typeof body === 'string' ? body : JSON.stringify(body),
        }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

try {
  console.log('without authorization:', (await fetch(`${api}/tokens`)).status);
  // 1. customer & site → key pair; 2. the admin downloads the certificate (here: from the answer)
  const step1 = await call('POST', '/tokens', {
    tokenId: 'acme-hq',
    customerId: 'acme',
    siteId: 'hq',
  });
  const again = await call('POST', '/tokens', {
    tokenId: 'acme-hq',
    customerId: 'acme',
    siteId: 'hq',
  });
  console.log(
    'wizard step 1:',
    step1.status,
    'reloaded:',
    again.status,
    'same pair:',
    again.body['created'] === false,
  );
  // 3. ABM (the simulator) issues a server token for the certificate; upload it
  const issued = await sim.issueServerToken(String(step1.body['certificatePem']));
  const uploaded = await call('PUT', '/tokens/acme-hq/server-token', issued.file);
  console.log('uploaded:', uploaded.body['status'], `${uploaded.body['daysLeft']} days left`);
  const profile = await call('POST', '/tokens/acme-hq/profiles', {
    name: 'Acme',
    url: 'https://mdm.acme.example/enroll',
    defaultFor: ['ios', 'ipados', 'macos'],
  });
  console.log('default profile:', profile.body['profileUuid']);
  await call('POST', '/tokens/acme-hq/sync');
  let state = await call('GET', '/tokens/acme-hq/sync');
  while (state.body['running'] === true) {
    await new Promise((r) => setTimeout(r, 100));
    state = await call('GET', '/tokens/acme-hq/sync');
  }
  console.log('sync:', (state.body['report'] as { status: string }).status);
  const unassigned = await call('GET', '/tokens/acme-hq/unassigned');
  for (const r of unassigned.body['reasons'] as { reason: string; count: number }[]) {
    console.log(`unassigned: ${r.count} × ${r.reason}`);
  }
} finally {
  admin.close();
  server.close();
  await manager.stop();
  await sim.close();
}
