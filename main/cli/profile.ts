import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseProfile, ProfileError } from '../core/protocols/snmp/profiles.js';

/** `edgecab profile check <file>`: a device profile validated as EdgeCab loads it, every problem named. */
export function profileCommand(): Command {
  const profile = new Command('profile').description('SNMP device profiles (assets/snmp-profiles)');
  profile
    .command('check')
    .description('validate a device profile: its schema, each field, and a MIB range for every number')
    .argument('<file>', 'the profile (.json)')
    .option('--json', 'machine-readable output')
    .action((file: string, options: { json?: boolean }) => {
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`}`);
      }
      try {
        const parsed = parseProfile(data, file);
        const fields = parsed.sections.reduce((sum, section) => sum + Object.keys(section.scalars ?? {}).length + Object.values(section.tables ?? {}).reduce((columns, table) => columns + Object.keys(table.columns).length, 0), 0);
        if (options.json) console.log(JSON.stringify({ event: 'profile', ok: true, id: parsed.id, kind: parsed.kind ?? null, vendor: parsed.vendor ?? null, fields }));
        else console.log(`${file}: profile "${parsed.id}" is valid (${parsed.kind ?? 'no kind'}${parsed.vendor ? `, ${parsed.vendor}` : ''}; ${fields} fields)`);
      } catch (error) {
        if (!(error instanceof ProfileError)) throw error;
        if (options.json) console.log(JSON.stringify({ event: 'profile', ok: false, error: error.message }));
        else console.error(error.message);
        process.exitCode = 1;
      }
    });
  return profile;
}
