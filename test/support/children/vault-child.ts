/**
 * Opens a vault on a data directory and is killed (SIGKILL, by itself) at
 * the point EDGECAB_KILL_AT names: while the key file is being created, or
 * in the middle of re-keying. Bundled and spawned by test/unit/credentials/vault.test.ts.
 */
import { openDatabase } from '../../../main/core/db/open.js';
import { CredentialVault } from '../../../main/core/services/credentials/vault.js';

const [dataDir, action] = process.argv.slice(2);
const killAt = process.env.EDGECAB_KILL_AT ?? '';
const die = (point: string) => () => {
  if (point === killAt) process.kill(process.pid, 'SIGKILL');
};
const db = openDatabase(`${dataDir}/edgecab.sqlite`);
const vault = new CredentialVault(db, dataDir!, () => new Date(), { hooks: { afterTempWritten: die('key-temp-written'), afterRekeyCommitted: die('rekey-committed') } });
if (action === 'store') process.stdout.write(`${vault.store('redfish', { username: 'u', password: 'kept through it all' })}\n`);
if (action === 'rotate') vault.rotateKey();
db.close();
