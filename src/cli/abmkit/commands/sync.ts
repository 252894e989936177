import type { Command } from 'commander';
import type { SyncReport } from '../../../manager/types.js';
import { type CliIo, options, sub } from '../command.js';
import { withContext } from '../context.js';
import { EXIT, UsageError } from '../exit.js';
import { jsonText } from '../output.js';

/** `sync <token-id> | --all [--watch]`. */
export function registerSync(program: Command, io: CliIo): void {
  sub(
    program,
    'sync [token-id]',
    'Sync devices from ABM and assign profiles, with live progress (pages, devices, assigned, throttled)',
    ['abmkit sync acme-hq', 'abmkit sync --all --watch --interval 300'],
  )
    .option('--all', 'every token')
    .option('--watch', 'keep syncing on the schedule until Ctrl+C')
    .option('--interval <seconds>', 'time between runs with --watch', '300')
    .action(async (tokenId: string | undefined, _o: unknown, cmd: Command) => {
      const o = options<{ all?: boolean; watch?: boolean; interval: string }>(cmd);
      if ((tokenId === undefined) === (o.all !== true)) {
        throw new UsageError('sync needs a <token-id> or --all (not both)');
      }
      const interval = Number(o.interval);
      if (!Number.isInteger(interval) || interval < 1) {
        throw new UsageError('--interval must be a whole number of seconds ≥ 1');
      }
      const code = await withContext(
        o,
        io.env,
        async ({ manager }) => {
          const ids =
            tokenId !== undefined ? [tokenId] : (await manager.listTokens()).map((t) => t.tokenId);
          if (ids.length > 0) await Promise.all(ids.map((id) => manager.health(id)));
          const only = (id: string) => ids.includes(id);
          const { followProgress, reportLine } = await import('../progress.js');
          const stopProgress = o.json ? () => undefined : followProgress(manager, io.stdout, only);
          const reports: SyncReport[] = [];
          try {
            if (o.watch) {
              const print = (r: SyncReport) => {
                if (!only(r.tokenId)) return;
                if (o.json) io.stdout.write(`${JSON.stringify(r)}\n`);
                else io.stdout.write(`${new Date().toISOString()} ${reportLine(r)}\n`);
              };
              manager.on('sync.completed', (e) => print(e.report));
              manager.on('sync.failed', (e) => print(e.report));
              await manager.start();
              if (!o.json)
                io.stdout.write(
                  `watching ${ids.length} token(s) every ${interval} s; Ctrl+C to stop\n`,
                );
              // The schedule's timers do not hold the process open: this does, until Ctrl+C.
              const keepAlive = setInterval(() => undefined, 1 << 30);
              await io.interrupted();
              clearInterval(keepAlive);
              return EXIT.ok;
            }
            for (const id of ids) {
              const report = await manager.syncNow(id);
              reports.push(report);
              if (!o.json) io.stdout.write(`${reportLine(report)}\n`);
            }
          } finally {
            stopProgress();
          }
          if (o.json) io.stdout.write(jsonText(reports));
          else if (ids.length === 0) io.stdout.write('No token to sync.\n');
          return reports.some((r) => r.status === 'failed' || r.status === 'aborted')
            ? EXIT.failure
            : EXIT.ok;
        },
        { syncIntervalMs: interval * 1000, staggerMs: 0 },
      );
      process.exitCode = code;
    });
}
