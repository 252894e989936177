import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { tokenView } from '../../../admin/token-view.js';
import { isAbmError } from '../../../errors/guards.js';
import { type CliIo, options, sub } from '../command.js';
import { withContext } from '../context.js';
import { CliFailure, UsageError } from '../exit.js';
import { jsonText, table, when } from '../output.js';

const MAX_TOKEN_FILE = 1024 * 1024;

/**
 * The manager's refusals (expired token, token of another MDM server) advise the library option
 * `{ force: true }`; on the command line that option is the `--force` flag, so the advice names it.
 */
function cliForceAdvice(error: unknown): never {
  if (isAbmError(error)) error.message = error.message.replaceAll('{ force: true }', '--force');
  throw error;
}

/** `keygen` and `token upload | list | show`. */
export function registerTokens(program: Command, io: CliIo): void {
  sub(
    program,
    'keygen <token-id>',
    'Generate a key pair for a token (new or renewal) and write the certificate (public key) to upload to ABM',
    ['abmkit keygen acme-hq --customer acme --site hq --out acme-hq.pem'],
  )
    .option('--customer <id>', 'the customer the token belongs to')
    .option('--site <id>', 'the site the token belongs to')
    .option('--name <text>', 'a display name (e.g. the MDM server name in ABM)')
    .option('--out <file>', 'write the certificate here (default: print it)')
    .action(async (tokenId: string, _o: unknown, cmd: Command) => {
      const o = options<{ customer?: string; site?: string; name?: string; out?: string }>(cmd);
      await withContext(o, io.env, async ({ manager }) => {
        const pem = await manager.createKeyPair(tokenId, {
          customerId: o.customer,
          siteId: o.site,
          name: o.name,
        });
        if (o.out !== undefined) await writeFile(o.out, pem, { mode: 0o644 });
        if (o.json) {
          io.stdout.write(jsonText({ tokenId, certificatePem: pem, out: o.out ?? null }));
        } else if (o.out === undefined) {
          io.stdout.write(pem);
        } else {
          io.stdout.write(
            `Certificate for ${tokenId} written to ${o.out}.\nNext: in ABM, Preferences > MDM Server Assignment > Add MDM Server, upload ${o.out}, download the server token, then:\n  abmkit token upload ${tokenId} <file.p7m>\n`,
          );
        }
      });
    });

  const token = sub(program, 'token', 'Server tokens: upload, list, show', [
    'abmkit token list --customer acme',
  ]);
  sub(token, 'upload <token-id> <file>', 'Upload the server token (.p7m) downloaded from ABM', [
    'abmkit token upload acme-hq ~/Downloads/RMM_Server_1_Token_2026-05-01T10-00-00Z_smime.p7m',
  ])
    .option(
      '--force',
      'accept a token of another MDM server (resets the cursor) or one already expired',
    )
    .action(async (tokenId: string, file: string, _o: unknown, cmd: Command) => {
      const o = options<{ force?: boolean }>(cmd);
      let bytes: Buffer;
      try {
        const info = await stat(file);
        if (info.size > MAX_TOKEN_FILE) {
          throw new CliFailure(
            `${file} is ${info.size} bytes; a server token is a few kilobytes: pick the .p7m downloaded from ABM.`,
            'TOKEN_FORMAT_INVALID',
          );
        }
        bytes = await readFile(file);
      } catch (error) {
        if (error instanceof CliFailure) throw error;
        throw new UsageError(
          `cannot read ${file}: ${(error as { code?: string }).code ?? 'error'}`,
        );
      }
      await withContext(o, io.env, async ({ manager }) => {
        const h = await manager
          .uploadServerToken(tokenId, bytes, { force: o.force === true })
          .catch(cliForceAdvice);
        if (o.json) io.stdout.write(jsonText(tokenView(h)));
        else {
          io.stdout.write(
            `Token ${tokenId} uploaded: ${h.status}, expires ${when(h.expiresAt)} (${h.daysLeft} days left). Next: abmkit sync ${tokenId}\n`,
          );
        }
      });
    });
  sub(token, 'list', 'List tokens with their health', ['abmkit token list --site hq --json'])
    .option('--customer <id>', 'only this customer')
    .option('--site <id>', 'only this site')
    .action(async (_o: unknown, cmd: Command) => {
      const o = options<{ customer?: string; site?: string }>(cmd);
      await withContext(o, io.env, async ({ manager }) => {
        const tokens = await manager.listTokens({ customerId: o.customer, siteId: o.site });
        const views = await Promise.all(
          tokens.map(async (t) => tokenView(await manager.health(t.tokenId))),
        );
        if (o.json) {
          io.stdout.write(jsonText(views));
          return;
        }
        if (views.length === 0) {
          io.stdout.write('No token yet. Add one: abmkit keygen <token-id> --out cert.pem\n');
          return;
        }
        io.stdout.write(
          table(
            ['TOKEN', 'CUSTOMER', 'SITE', 'STATUS', 'EXPIRES', 'DAYS', 'LAST SYNC'],
            views.map((v) => [
              v.tokenId,
              v.customerId ?? '-',
              v.siteId ?? '-',
              v.lastError === null ? v.status : `${v.status} (sync failing)`,
              when(v.expiresAt).slice(0, 10),
              v.daysLeft === null ? '-' : String(v.daysLeft),
              when(v.lastSyncAt),
            ]),
          ),
        );
      });
    });
  sub(
    token,
    'show <token-id>',
    'Show a token: health, expiry, days left, last sync, last error, linked server',
    ['abmkit token show acme-hq'],
  ).action(async (tokenId: string, _o: unknown, cmd: Command) => {
    const o = options(cmd);
    await withContext(o, io.env, async ({ manager }) => {
      const v = tokenView(await manager.health(tokenId));
      if (o.json) {
        io.stdout.write(jsonText(v));
        return;
      }
      const rows: [string, string][] = [
        ['token', v.tokenId],
        ['name', v.name ?? '-'],
        ['customer / site', `${v.customerId ?? '-'} / ${v.siteId ?? '-'}`],
        ['status', v.status],
        ['advice', v.advice],
        [
          'expires',
          `${when(v.expiresAt)}${v.daysLeft === null ? '' : ` (${v.daysLeft} days left)`}`,
        ],
        ['renewal pending', v.pendingKeyPair ? 'yes (upload the new server token)' : 'no'],
        ['last sync', when(v.lastSyncAt)],
        ['last success', when(v.lastSuccessfulSyncAt)],
        [
          'last error',
          v.lastError === null
            ? '-'
            : `${v.lastError.code} at ${when(v.lastError.at)}: ${v.lastError.message}`,
        ],
        [
          'linked server',
          v.serverName === null ? '-' : `${v.serverName} (${v.orgName ?? 'unknown org'})`,
        ],
      ];
      const w = Math.max(...rows.map(([k]) => k.length));
      io.stdout.write(`${rows.map(([k, val]) => `${k.padEnd(w)}  ${val}`).join('\n')}\n`);
      for (const b of v.banners)
        io.stdout.write(
          `${b.level === 'error' ? '✖' : b.level === 'warning' ? '!' : 'i'} ${b.text}\n`,
        );
    });
  });
}
