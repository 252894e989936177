/**
 * Child process for bench/assign-csv.ts: the simulator with an unassigned pool, so that its
 * memory stays out of the measured process. Prints one JSON line, then serves until killed.
 */
import { createDepSimulator } from '../src/testing/index.js';

const pool = Number(process.argv[2] ?? 100_000);
const sim = createDepSimulator({ devices: 10, seed: 1 });
sim.businessApi.activityLatencyMs = Number(process.argv[3] ?? 0);
const { first } = sim.businessApi.addUnassignedDevices(pool);
const baseUrl = await sim.listen();
const account = sim.businessApi.createAccount();
console.log(JSON.stringify({ baseUrl, account, first, serverId: sim.businessApi.adeServerId }));
