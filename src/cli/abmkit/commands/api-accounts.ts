import type { Command } from 'commander';
import type { ApiAccountSummary } from '../../../manager/business-api.js';
import { type CliIo, options, sub } from '../command.js';
import { resolveUrlOption, withContext } from '../context.js';
import { CliFailure } from '../exit.js';
import { jsonText, table } from '../output.js';
import { readLocal } from '../read-input.js';

/** Resolves `--api-base-url` / `ABMKIT_API_BASE_URL` (the simulator serves the API on its ADE port). */
function apiBaseUrl(value: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return resolveUrlOption(
    value ?? env['ABMKIT_API_BASE_URL'],
    '--api-base-url / ABMKIT_API_BASE_URL',
  );
}

function accountText(a: ApiAccountSummary): string {
  const lines = [
    `${a.accountId}: ${a.status}`,
    `  client id  ${a.clientId}`,
    `  key id     ${a.keyId}`,
    `  customer   ${a.customerId ?? '-'}   site ${a.siteId ?? '-'}`,
  ];
  if (a.name !== null) lines.push(`  name       ${a.name}`);
  if (a.lastError !== null)
    lines.push(`  last error ${a.lastError.code} at ${a.lastError.at}: ${a.lastError.message}`);
  lines.push(`  advice     ${a.advice}`);
  return `${lines.join('\n')}\n`;
}

/** `api-account add | list | show | link | remove` and `devices-missing`. */
export function registerApiAccounts(program: Command, io: CliIo): void {
  const group = sub(
    program,
    'api-account',
    'Apple Business API accounts (client id, key id, private key), used by abmkit assign',
    ['abmkit api-account list'],
  );
  sub(
    group,
    'add <account-id>',
    'Store an API account created in Apple Business Manager (its key is encrypted at rest)',
    [
      'abmkit api-account add acme-api --client-id BUSINESSAPI.3bb3a62b-… --key-id d136aa66-… --key-file acme-api.pem --customer acme',
      'abmkit api-account add sim --client-id … --key-id … --key-file key.pem --customer acme --api-base-url http://127.0.0.1:8080   # the simulator',
    ],
  )
    .requiredOption('--client-id <id>', 'the client id, BUSINESSAPI.<uuid> (or SCHOOLAPI.<uuid>)')
    .requiredOption('--key-id <id>', 'the key id shown with the API account')
    .requiredOption('--key-file <file.pem>', 'the private key PEM downloaded from ABM')
    .requiredOption(
      '--customer <customer-id>',
      "the customer whose tokens use it (keygen's --customer)",
    )
    .option('--site <site-id>', 'prefer it for the tokens of this site')
    .option('--name <name>', 'display name')
    .option(
      '--api-base-url <url>',
      'Business API base URL: a proxy or the simulator (or ABMKIT_API_BASE_URL); the token URL is <url>/auth/oauth2/token',
    )
    .action(async (accountId: string, _o: unknown, cmd: Command) => {
      const o = options<{
        clientId: string;
        keyId: string;
        keyFile: string;
        customer: string;
        site?: string;
        name?: string;
        apiBaseUrl?: string;
      }>(cmd);
      const baseUrl = apiBaseUrl(o.apiBaseUrl, io.env);
      const privateKey = (await readLocal(o.keyFile, 64 * 1024)).toString('utf8');
      await withContext(o, io.env, async ({ manager }) => {
        const saved = await manager.saveApiAccount(accountId, {
          clientId: o.clientId,
          keyId: o.keyId,
          privateKey,
          customerId: o.customer,
          ...(o.site === undefined ? {} : { siteId: o.site }),
          ...(o.name === undefined ? {} : { name: o.name }),
          ...(baseUrl === undefined ? {} : { baseUrl, tokenUrl: `${baseUrl}/auth/oauth2/token` }),
        });
        if (o.json) io.stdout.write(jsonText(saved));
        else
          io.stdout.write(
            `API account ${accountId} stored for customer ${o.customer}${o.site === undefined ? '' : `, site ${o.site}`}. Assign devices: abmkit assign <token-id> --csv serials.csv\n`,
          );
      });
    });
  sub(group, 'list', 'List the stored API accounts (never their keys)', [
    'abmkit api-account list --customer acme',
  ])
    .option('--customer <customer-id>', 'only this customer')
    .option('--site <site-id>', 'only this site')
    .action(async (_o: unknown, cmd: Command) => {
      const o = options<{ customer?: string; site?: string }>(cmd);
      await withContext(o, io.env, async ({ manager }) => {
        const accounts = await manager.listApiAccounts({
          ...(o.customer === undefined ? {} : { customerId: o.customer }),
          ...(o.site === undefined ? {} : { siteId: o.site }),
        });
        if (o.json) io.stdout.write(jsonText(accounts));
        else
          io.stdout.write(
            table(
              ['ACCOUNT', 'CLIENT ID', 'CUSTOMER', 'SITE', 'STATUS'],
              accounts.map((a) => [
                a.accountId,
                a.clientId,
                a.customerId ?? '-',
                a.siteId ?? '-',
                a.status,
              ]),
            ),
          );
      });
    });
  sub(group, 'show <account-id>', "An API account's health and last error (never its key)", [
    'abmkit api-account show acme-api',
  ]).action(async (accountId: string, _o: unknown, cmd: Command) => {
    const o = options(cmd);
    await withContext(o, io.env, async ({ manager }) => {
      const account = await manager.apiAccountHealth(accountId);
      io.stdout.write(o.json ? jsonText(account) : accountText(account));
    });
  });
  sub(
    group,
    'link <token-id>',
    "Find the token's MDM server in the Business API (after one sync) and remember the link",
    ['abmkit api-account link acme-hq'],
  )
    .option('--account <account-id>', "use this API account instead of the customer's")
    .action(async (tokenId: string, _o: unknown, cmd: Command) => {
      const o = options<{ account?: string }>(cmd);
      await withContext(o, io.env, async ({ manager }) => {
        const link = await manager.linkServer(
          tokenId,
          o.account === undefined ? {} : { accountId: o.account },
        );
        if (o.json) io.stdout.write(jsonText(link));
        else
          io.stdout.write(
            `${tokenId} → MDM server ${link.serverId} (${link.serverName ?? 'no name'}), matched by ${link.matchedBy}, API account ${link.accountId}\n`,
          );
      });
    });
  sub(group, 'remove <account-id>', 'Delete a stored API account', [
    'abmkit api-account remove acme-api',
  ]).action(async (accountId: string, _o: unknown, cmd: Command) => {
    const o = options(cmd);
    await withContext(o, io.env, async ({ manager }) => {
      const removed = await manager.deleteApiAccount(accountId);
      if (!removed)
        throw new CliFailure(
          `No API account "${accountId}" is stored (abmkit api-account list shows them).`,
          'NOT_FOUND',
        );
      io.stdout.write(
        o.json ? jsonText({ accountId, removed }) : `API account ${accountId} removed.\n`,
      );
    });
  });

  sub(
    program,
    'devices-missing <token-id>',
    "Devices not appearing: the organisation's devices on no MDM server or on another one (Business API)",
    ['abmkit devices-missing acme-hq', 'abmkit devices-missing acme-hq --json'],
  ).action(async (tokenId: string, _o: unknown, cmd: Command) => {
    const o = options(cmd);
    await withContext(o, io.env, async ({ manager }) => {
      const rows = [];
      for await (const d of manager.listOrgDevices(tokenId)) rows.push(d);
      if (o.json) io.stdout.write(jsonText(rows));
      else if (rows.length === 0)
        io.stdout.write(`Every device of the organisation is on the MDM server of ${tokenId}.\n`);
      else
        io.stdout.write(
          `${table(
            ['SERIAL', 'FAMILY', 'STATUS'],
            rows.map((d) => [d.serialNumber, d.productFamily ?? '-', d.status ?? '-']),
          )}${rows.length} device(s) not on ${tokenId}'s server. Put them there: abmkit assign ${tokenId} --csv serials.csv\n`,
        );
    });
  });
}
