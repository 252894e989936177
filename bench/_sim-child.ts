/**
 * Child process of the manager benchmarks: the ADE simulator on loopback, so that its CPU time
 * and memory stay out of the measured process. Started by `startSim()` in bench/_harness.ts;
 * answers IPC requests (one reply per request, matched by `id`) until killed.
 *
 *   node --import tsx bench/_sim-child.ts <devices>
 */
import { profilePreset } from '../src/index.js';
import { createDepSimulator } from '../src/testing/index.js';

/** A request from the parent. */
export type SimAsk =
  | { op: 'issue'; certificatePem: string; count: number }
  | { op: 'sessions'; count: number }
  | { op: 'requests' }
  | { op: 'cpu' }
  | { op: 'profile' }
  | { op: 'add'; count: number }
  | { op: 'reset' };

const devices = Number(process.argv[2] ?? 100);
const sim = createDepSimulator({
  devices,
  seed: 1,
  session: { ttlMs: 86_400_000 },
  requestLogLimit: 1000,
});
const url = await sim.listen();
process.send?.({ url });

async function answer(ask: SimAsk): Promise<unknown> {
  switch (ask.op) {
    case 'issue': {
      const files: string[] = [];
      for (let i = 0; i < ask.count; i++)
        files.push((await sim.issueServerToken(ask.certificatePem)).file);
      return files;
    }
    case 'sessions':
      // Sessions of fresh tokens, created without OAuth, for the bare loops.
      return Array.from({ length: ask.count }, () =>
        sim.sessions.create(sim.tokens.create().consumer_key),
      );
    case 'requests':
      if (process.env['SIM_DEBUG']) console.error(sim.counters.byEndpoint);
      return sim.counters.requests;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    }
    case 'profile': {
      const session = sim.sessions.create();
      const res = await sim.handle({
        method: 'POST',
        path: '/profile',
        headers: {
          'user-agent': 'abmkit-bench/1.0',
          'x-adm-auth-session': session,
          'x-server-protocol-version': '10',
          'content-type': 'application/json',
        },
        body: JSON.stringify(
          profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
        ),
      });
      return (JSON.parse(res.body) as { profile_uuid: string }).profile_uuid;
    }
    case 'add':
      // New devices assigned to the server: the next sync reports each as `added`.
      for (let i = 0; i < ask.count; i++) sim.devices.add();
      return sim.devices.stats().events;
    case 'reset':
      sim.reset();
      return true;
  }
}

process.on('message', (m: { id: number; ask: SimAsk }) => {
  void answer(m.ask).then(
    (value) => process.send?.({ id: m.id, value }),
    (error: Error) => process.send?.({ id: m.id, error: error.message }),
  );
});
