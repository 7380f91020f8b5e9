/**
 * A core process that runs an upgrade of <device> with <package> by hand and
 * kills itself (SIGKILL: no exit handler, no flush) as soon as the image was
 * sent and the step waits for the device to come back (verifying), while the
 * BMC is resetting to take it.
 * Bundled and spawned by test/integration/firmware-plan-crash.test.ts.
 */
import { createCore } from '../../../main/core/index.js';

const [dataDir, deviceId, packageId] = process.argv.slice(2);
const core = createCore({ dataDir: dataDir!, host: 'server' });
const plan = await core.services.firmwarePlans.create({ name: 'killed mid-way', packageIds: [packageId!], targets: { deviceIds: [deviceId!] }, waveSize: 1, failureThreshold: 1, window: null }, 'child');
const look = setInterval(() => {
  const step = core.services.firmwarePlans.get(plan.id).list[0]!;
  if (step.phase !== 'verifying') return;
  clearInterval(look);
  process.stdout.write(`${JSON.stringify({ event: 'dying', planId: plan.id, phase: step.phase })}\n`);
  process.kill(process.pid, 'SIGKILL');
}, 5);
