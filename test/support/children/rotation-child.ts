/**
 * A core process that rotates one BMC's password and is killed (SIGKILL, by
 * itself) at the point named by EDGECAB_KILL_AT: nothing after that point
 * runs, no exit handler, no flush. Bundled and spawned by
 * test/integration/credential-crash.test.ts.
 */
import { createCore } from '../../../main/core/index.js';
import type { RotationHooks } from '../../../main/core/services/credentials/rotation.js';

const [dataDir, deviceId] = process.argv.slice(2);
const killAt = process.env.EDGECAB_KILL_AT ?? '';
const die = (point: string) => () => {
  if (point !== killAt) return;
  process.stdout.write(`${JSON.stringify({ event: 'dying', at: point })}\n`);
  process.kill(process.pid, 'SIGKILL');
};
const hooks: RotationHooks = { beforePasswordChange: die('before-change'), afterPasswordChange: die('after-change'), beforePromote: die('before-promote') };

const core = createCore({ dataDir: dataDir!, host: 'server', rotationHooks: hooks });
const device = core.services.cabinets.device(deviceId!);
const result = await core.services.rotation.rotate({ deviceId: device.id, endpoint: device.endpoint!, fingerprint: device.fingerprint });
process.stdout.write(`${JSON.stringify({ event: 'rotated', result })}\n`);
await core.close();
