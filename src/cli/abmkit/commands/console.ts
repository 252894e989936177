import type { Command } from 'commander';
import { type CliIo, options, sub } from '../command.js';
import { withContext } from '../context.js';
import { UsageError } from '../exit.js';

/** `console [--store …] [--port]`. */
export function registerConsole(program: Command, io: CliIo): void {
  sub(
    program,
    'console',
    'Serve the admin console (token wizard, health, Sync Now, devices, Unassigned, per-OS defaults) on 127.0.0.1',
    ['abmkit console --store file:./abmkit-data --port 8790'],
  )
    .option('--port <n>', 'port (0 = any free port)', '8790')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (_o: unknown, cmd: Command) => {
      const o = options<{ port: string; host: string }>(cmd);
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new UsageError('--port must be 0-65535');
      await withContext(o, io.env, async ({ manager, store, baseUrl }) => {
        const { startConsole } = await import('../../../admin/console/serve.js');
        const running = await startConsole(manager, {
          storage: store.storage,
          baseUrl,
          host: o.host,
          port,
        });
        io.stdout.write(
          `abmkit console at ${running.url}  (store ${store.label}; Ctrl+C to stop)\n`,
        );
        await io.interrupted();
        await running.close();
      });
    });
}
