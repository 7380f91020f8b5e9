import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project's shared/ folder (third-party test data), beside the repository unless EDGECAB_SHARED_DIR says otherwise. */
export const SHARED_DIR = resolve(process.env.EDGECAB_SHARED_DIR ?? join(import.meta.dirname, '../../../shared'));

export function sharedPath(...parts: string[]): string {
  const path = join(SHARED_DIR, ...parts);
  if (!existsSync(path)) {
    throw new Error(`test data missing: ${path}. The tests read ../shared (snmp-recordings, redfish-mockups) beside the repository; set EDGECAB_SHARED_DIR if it is elsewhere.`);
  }
  return path;
}
