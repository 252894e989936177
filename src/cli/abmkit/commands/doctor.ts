import type { Command } from 'commander';
import type { DoctorFinding } from '../../../admin/doctor.js';
import { type CliIo, options, sub } from '../command.js';
import { withContext } from '../context.js';
import { EXIT } from '../exit.js';
import { jsonText } from '../output.js';

const MARK = { ok: '✔', warning: '!', error: '✖' } as const;

/** Prints findings the way `abmkit doctor` does. */
export function doctorText(findings: readonly DoctorFinding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${MARK[f.severity]} ${f.tokenId ?? '(all)'} · ${f.check}: ${f.issue}`);
    if (f.severity !== 'ok' || f.details.length > 0) lines.push(`    cause:  ${f.cause}`);
    for (const d of f.details) lines.push(`    · ${d}`);
    if (f.severity !== 'ok') lines.push(`    remedy: ${f.remedy}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `doctor [<token-id>]`. */
export function registerDoctor(program: Command, io: CliIo): void {
  sub(
    program,
    'doctor [token-id]',
    "Walk the product guide's troubleshooting table (token expired, sync fails, devices stuck in Unassigned, wrong profile) and print each finding with its remedy; exit 3 when something needs attention",
    ['abmkit doctor', 'abmkit doctor acme-hq --serial C02XL0GHJGH5 --no-probe'],
  )
    .option('--serial <serial>', 'explain which rule picks the profile of this device')
    .option('--no-probe', 'do not call Apple to check the network path')
    .action(async (tokenId: string | undefined, _o: unknown, cmd: Command) => {
      const o = options<{ serial?: string; probe: boolean }>(cmd);
      const code = await withContext(o, io.env, async ({ manager, baseUrl }) => {
        if (tokenId !== undefined) await manager.health(tokenId);
        const { runDoctor } = await import('../../../admin/doctor.js');
        const report = await runDoctor(manager, {
          tokenId,
          serial: o.serial,
          probe: o.probe,
          baseUrl,
        });
        if (o.json) io.stdout.write(jsonText(report));
        else {
          io.stdout.write(doctorText(report.findings));
          io.stdout.write(report.attention ? 'Needs attention (exit code 3).\n' : 'All good.\n');
        }
        return report.attention ? EXIT.attention : EXIT.ok;
      });
      process.exitCode = code;
    });
}
