import { Option, type Command } from 'commander';
import { GenkanError } from '../common/errors.ts';
import type { HubStore } from '../edge-hub/store/hub-store.ts';
import { openHubStore } from './hub-init.ts';
import { STAFF_ROLES, type StaffRole } from '../protocol/roles.ts';
import { fail, printJson } from './util.ts';

/** Opens the hub's store for one command and closes it however the command ends. */
async function withStore<T>(dir: string, fn: (store: HubStore) => T | Promise<T>): Promise<void> {
  const store = await openHubStore(dir);
  try {
    printJson(await fn(store));
  } catch (err) {
    store.close();
    fail(err);
  } finally {
    store.close();
  }
}

/** Administration of a hub's data directory: `staff add|disable|enable|list`, `settings show|set`. */
export function register(program: Command): void {
  const staff = program.command('staff').description('staff accounts for the tablet');
  staff
    .command('add <id>')
    .description('create a staff account, or update its name, role and PIN (works while the hub runs)')
    .requiredOption('--data <dir>', "the hub's data directory")
    .requiredOption('--name <name>', "the staff member's name as tablets show it")
    .addOption(new Option('--pin <pin>', 'sign-in PIN, 4–12 digits').env('GENKAN_STAFF_PIN'))
    .addOption(new Option('--role <role>', 'staff role').choices(STAFF_ROLES).default('staff'))
    .action(async (id: string, opts: { data: string; name: string; pin?: string; role: StaffRole }) => {
      const { pin } = opts;
      if (pin === undefined) fail(new GenkanError('bad_usage', '--pin (or GENKAN_STAFF_PIN) is required'));
      const { addStaff } = await import('../edge-hub/access/staff-accounts.ts');
      await withStore(opts.data, (store) => addStaff(store, { id, name: opts.name, pin, role: opts.role }));
    });
  for (const [name, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    staff
      .command(`${name} <id>`)
      .description(
        enabled
          ? 'let a disabled staff account sign in again'
          : 'stop a staff account from signing in and end its sessions (its records keep its name)',
      )
      .requiredOption('--data <dir>', "the hub's data directory")
      .action(async (id: string, opts: { data: string }) => {
        const { setStaffEnabled } = await import('../edge-hub/access/staff-accounts.ts');
        await withStore(opts.data, (store) => setStaffEnabled(store, id, enabled));
      });
  }
  staff
    .command('list')
    .description('staff accounts: id, name, role, whether disabled')
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (opts: { data: string }) => {
      await withStore(opts.data, (store) => ({ staff: store.people.staffList() }));
    });

  const settings = program
    .command('settings')
    .description("a facility's settings (docs/protocol.md, Facility settings)");
  settings
    .command('show')
    .description('print the settings as JSON')
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (opts: { data: string }) => {
      const { readSettings } = await import('../edge-hub/facility/settings.ts');
      await withStore(opts.data, readSettings);
    });
  settings
    .command('set <path=value...>')
    .description(
      'change settings, e.g. facilityName=ひまわり保育園 closingTime=19:00 classes.k1.cutoff=09:30 ' +
        'classes.k1.maxChildrenPerStaff=3 ' +
        'extendedCare.rounding=up (all or nothing; a running hub picks them up within a minute)',
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (pairs: string[], opts: { data: string }) => {
      const { settingsPatch, updateSettings } = await import('../edge-hub/facility/settings.ts');
      await withStore(opts.data, (store) =>
        updateSettings(store, settingsPatch(pairs), { kind: 'cli', id: null }),
      );
    });
}
