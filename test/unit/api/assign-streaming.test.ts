import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignSerialOutcome, AssignToServerCounts } from '../../../src/api/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ devices: 10 });
});
afterAll(async () => {
  await h.sim.close();
});

/**
 * A CSV with two repeats of one serial, a lower-case one, a malformed row, an unknown serial,
 * one already on the server, one that fails in the activity, and an unterminated quote; on
 * fresh devices each time, so every run sees the same situation.
 */
function messyCsv(): string {
  const pool = h.sim.businessApi.addUnassignedDevices(4);
  const [p0, p1, p2, p3] = [0, 1, 2, 3].map(pool.serialAt) as string[];
  h.sim.businessApi.failSerials([p3 as string], 'Device is in an active migration');
  const onServer = h.sim.devices.serials(1)[0] as string;
  return [
    'Serial Number,Owner',
    `${p0},a`,
    `${(p1 as string).toLowerCase()},b`,
    `${p0},dup`,
    'bad!,c',
    `${p2},d`,
    'NOSUCHDEV77,e',
    `${p0},dup again`,
    `${onServer},f`,
    `${p3},g`,
    '"unterminated,h',
  ].join('\n');
}

function tally(outcomes: AssignSerialOutcome[]): AssignToServerCounts {
  const by = (s: AssignSerialOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  return {
    assigned: by('assigned'),
    alreadyOnServer: by('alreadyOnServer'),
    moved: outcomes.filter((o) => o.status === 'assigned' && o.fromServerId !== null).length,
    notFound: by('notFound'),
    failed: by('failed'),
    invalid: by('invalid'),
    duplicates: by('duplicate'),
  };
}

describe.each([true, false])('assignDevicesToServer report modes (lookup: %s)', (lookup) => {
  it('counts only and onSerial give the same totals as the default report', async () => {
    const api = h.client();
    const server = h.sim.businessApi.adeServerId;
    const options = { lookup, chunkSize: 2, concurrency: 2 };
    const full = await api.assignDevicesToServer(server, messyCsv(), options);
    const expected: AssignToServerCounts = {
      assigned: 3,
      alreadyOnServer: lookup ? 1 : 0,
      moved: 0,
      notFound: 1,
      failed: 1,
      invalid: 2,
      duplicates: 2,
    };
    if (!lookup) expected.assigned = 4; // the server's own device is sent again and succeeds
    expect(full.counts).toEqual(expected);
    expect({
      assigned: full.assigned.length,
      alreadyOnServer: full.alreadyOnServer.length,
      moved: full.moved.length,
      notFound: full.notFound.length,
      failed: full.failed.length,
      invalid: full.invalid.length,
      duplicates: full.duplicates,
    }).toEqual(expected);
    expect(full.invalid.map((r) => r.line)).toEqual([5, 11]);

    const seen: AssignSerialOutcome[] = [];
    const summary = await api.assignDevicesToServer(server, messyCsv(), {
      ...options,
      report: 'counts',
      onSerial: (o) => {
        seen.push(o);
      },
    });
    expect(summary.counts).toEqual(expected);
    expect(Object.keys(summary).sort()).toEqual(['activityIds', 'counts', 'serverId']);
    expect(summary.activityIds).toHaveLength(full.activityIds.length);
    expect(tally(seen)).toEqual(expected);
    expect(seen.filter((o) => o.status === 'duplicate').map((o) => o.line)).toEqual([4, 8]);
    expect(seen.find((o) => o.status === 'notFound')).toEqual({
      status: 'notFound',
      serialNumber: 'NOSUCHDEV77',
    });
  });
});

describe('assignDevicesToServer streaming', () => {
  it('sends the first activity before the CSV stream ends', async () => {
    let posted!: () => void;
    const firstPost = new Promise<void>((resolve) => {
      posted = resolve;
    });
    const api = h.client({
      fetch: (input, init) => {
        const method = input instanceof Request ? input.method : init?.method;
        const url = input instanceof Request ? input.url : String(input);
        if (method === 'POST' && url.endsWith('/v1/orgDeviceActivities')) posted();
        return globalThis.fetch(input, init);
      },
    });
    const pool = h.sim.businessApi.addUnassignedDevices(3);
    const events: string[] = [];
    async function* csv(): AsyncGenerator<string> {
      // The chunk ends inside the third row (the parser needs the text after a row to end it).
      yield `serial\n${pool.serialAt(0)}\n${pool.serialAt(1)}\n${pool.serialAt(2).slice(0, 4)}`;
      // Held back until the first chunk's activity has gone out: a reader that waits for the
      // end of the input before sending would never get here.
      await firstPost;
      events.push('activity sent');
      yield `${pool.serialAt(2).slice(4)}\n`;
      events.push('stream ended');
    }
    const report = await api.assignDevicesToServer(h.sim.businessApi.adeServerId, csv(), {
      lookup: false,
      chunkSize: 2,
      report: 'counts',
    });
    expect(events).toEqual(['activity sent', 'stream ended']);
    expect(report.counts.assigned).toBe(3);
    expect(report.activityIds).toHaveLength(2);
  });

  it('reports no serial after the call failed: lookups in flight settle before it rejects', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const api = h.client({
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        // The second serial's lookup is held until the first serial's report has failed.
        if (url.includes('NOSUCHDEV02')) await gate;
        return globalThis.fetch(input, init);
      },
    });
    const boom = new Error('sink full');
    let settled = false;
    const late: string[] = [];
    const call = api.assignDevicesToServer(
      h.sim.businessApi.adeServerId,
      ['NOSUCHDEV01', 'NOSUCHDEV02'],
      {
        concurrency: 2,
        onSerial: (outcome) => {
          const serial = 'serialNumber' in outcome ? outcome.serialNumber : outcome.value;
          if (settled) late.push(serial);
          if (serial === 'NOSUCHDEV01') {
            setImmediate(release);
            throw boom;
          }
        },
      },
    );
    await expect(call).rejects.toBe(boom);
    settled = true;
    // Whatever was still in flight had its chance to report by now.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(late).toEqual([]);
  });

  it('rejects with the error onSerial throws', async () => {
    const api = h.client();
    const pool = h.sim.businessApi.addUnassignedDevices(2);
    const boom = new Error('sink full');
    await expect(
      api.assignDevicesToServer(
        h.sim.businessApi.adeServerId,
        [pool.serialAt(0), pool.serialAt(1)],
        {
          lookup: false,
          onSerial: () => {
            throw boom;
          },
        },
      ),
    ).rejects.toBe(boom);
  });
});
