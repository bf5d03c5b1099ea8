import type { Command } from 'commander';
import { fail } from './util.ts';

/** `genkan demo` (= `npm start`); the demo itself (cli/demo-run.ts) loads only when it runs. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run cloud relay, edge hub and a kiosk with demo data on this machine (npm start)')
    .option('--data <dir>', 'where the demo keeps its data', '.genkan-demo')
    .action(async (opts: { data: string }) => {
      const { runDemo } = await import('./demo-run.ts');
      await runDemo(opts).catch(fail);
    });
}
