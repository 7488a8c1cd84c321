/** @module `rotor doctor`: checks the installation and says what to fix; exit 1 when something is wrong. */
import { Command } from 'commander';
import { runDoctor } from '../ops/doctor/doctor.ts';
import { formatReport } from '../ops/doctor/result.ts';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check configuration, database, migrations, keys, clock and X, and say how to fix problems')
    .option('--json', 'print the findings as JSON')
    .action(async (opts: { json?: boolean }) => {
      const results = await runDoctor();
      console.log(opts.json ? JSON.stringify(results) : formatReport(results));
      if (results.some((r) => r.status === 'fail')) process.exitCode = 1;
    });
}
