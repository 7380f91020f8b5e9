/**
 * A core process that queues a deployment of <app> <version> to <site> and
 * kills itself (SIGKILL: no exit handler, no flush) as soon as the outbox
 * has started running it, so the row is left "running" mid-transfer.
 * Bundled and spawned by test/integration/outbox.test.ts.
 */
import { createCore } from '../../../main/core/index.js';

const [dataDir, siteId, appId, version, port] = process.argv.slice(2);
const core = createCore({ dataDir: dataDir!, host: 'server' });
core.services.outbox.onChange((item) => {
  if (item.state !== 'running') return;
  process.stdout.write(`${JSON.stringify({ event: 'dying', id: item.id })}\n`);
  process.kill(process.pid, 'SIGKILL');
});
core.services.outbox.start(200);
core.services.siteApps.deploy(siteId!, { appId: appId!, version: version!, parameters: { HTTP_PORT: Number(port) }, stableSeconds: 1, stopSeconds: 1 }, 'child');
