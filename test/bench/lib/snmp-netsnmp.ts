import { spawn } from 'node:child_process';
import { bundledProfiles } from '../../../main/core/protocols/snmp/profiles.js';

/** The table columns EdgeCab's collector walks on an agent, given the profiles it found applied there. */
export function walkedColumns(profileIds: readonly string[]): string[] {
  return bundledProfiles()
    .filter((profile) => profileIds.includes(profile.id))
    .flatMap((profile) => profile.sections.flatMap((section) => Object.values(section.tables ?? {}).flatMap((table) => Object.values(table.columns).map((field) => `${table.entry}.${field.column}`))));
}

export interface BulkwalkOptions {
  community: string;
  timeoutSeconds: number;
  retries: number;
  maxRepetitions: number;
  /** Walks of one agent at once (EdgeCab keeps 2 requests in flight per agent). */
  perAgent: number;
}

/**
 * Every column of one agent walked by Net-SNMP's `snmpbulkwalk`, one process
 * per column (it walks one subtree per run), `perAgent` at once; resolves
 * with the rows printed. The walks are started by xargs, so the peer is not
 * slowed by Node forking a large process thousands of times, and no MIBs are
 * loaded (`-m ''`, numeric OIDs), so each run spends its time on the walk.
 */
export function bulkwalkAgent(port: number, columns: readonly string[], options: BulkwalkOptions): Promise<number> {
  const walk = ['snmpbulkwalk', '-v2c', '-c', options.community, '-t', String(options.timeoutSeconds), '-r', String(options.retries), `-Cr${options.maxRepetitions}`, '-m', '', '-On', '-Oq', `127.0.0.1:${port}`];
  return new Promise((resolve, reject) => {
    const child = spawn('xargs', ['-P', String(options.perAgent), '-n', '1', ...walk], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      // xargs exits 123 when any walk failed (a timeout, for one); each failure said why on stderr.
      if (code !== 0) return reject(new Error(`snmpbulkwalk 127.0.0.1:${port}: xargs exit ${code}: ${stderr.trim().split('\n')[0] ?? ''}`));
      // A long value may wrap onto more lines; rows are the lines that start with a column's OID and an index.
      const prefixes = columns.map((column) => `.${column}.`);
      resolve(stdout.split('\n').filter((line) => prefixes.some((prefix) => line.startsWith(prefix))).length);
    });
    child.stdin.end(`${columns.join('\n')}\n`);
  });
}
