import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { rendererDir } from '../../main/cli/paths.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { tempDir } from '../support/core.js';
import { writeMbtiles } from '../support/mbtiles.js';
import { adminHeaders } from '../support/auth.js';
import { createServer } from 'node:http';
import { answerTile } from '../../main/core/services/tiles/tile-path.js';

describe('online tiles, cached in SQLite for offline use', () => {
  const dirs: { dir: string; cleanup: () => void }[] = [];
  let provider: { core: Core; server: Pick<RunningServer, 'close'>; url: string };
  let edge: { core: Core; server: RunningServer };
  let auth: Record<string, string> = {};
  /** fetch as a signed-in administrator of the edge server. */
  const fetch = (input: URL) => globalThis.fetch(input, { headers: auth });
  const start = async () => {
    const dir = tempDir();
    dirs.push(dir);
    const core = createCore({ dataDir: dir.dir, host: 'server' });
    return { core, server: await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() }), dir: dir.dir };
  };

  beforeAll(async () => {
    // The "online" provider is a plain tile server on loopback (no sign-in, as public tile servers are), serving an MBTiles package.
    const dir = tempDir();
    dirs.push(dir);
    const providerCore = createCore({ dataDir: dir.dir, host: 'server' });
    const file = `${dir.dir}/source.mbtiles`;
    writeMbtiles(file, 3);
    const imported = providerCore.services.tiles.importMbtiles(file, 'Provider', 'wgs84');
    const tileServer = createServer((req, res) => {
      void answerTile(providerCore.services, new URL(req.url ?? '/', 'http://x').pathname).then((tile) => {
        if (tile.status === 200) res.writeHead(200, { 'content-type': tile.contentType }).end(tile.data);
        else res.writeHead(tile.status).end();
      });
    });
    await new Promise<void>((resolve) => tileServer.listen(0, '127.0.0.1', resolve));
    const port = (tileServer.address() as { port: number }).port;
    provider = {
      core: providerCore,
      server: { close: () => new Promise<void>((resolve) => { tileServer.close(() => resolve()); tileServer.closeAllConnections(); }) },
      url: `http://127.0.0.1:${port}/tiles/${imported.id}/{z}/{x}/{y}.png`,
    };
    edge = await start();
    auth = await adminHeaders(edge.core);
  });
  afterAll(async () => {
    await edge?.server.close();
    edge?.core.close();
    await provider?.server.close();
    provider?.core.close();
    dirs.forEach((dir) => dir.cleanup());
  });

  it('fetches through the configured URL, keeps tiles, and still serves them when the provider is gone', async () => {
    const client = edge.core.client('t');
    expect((await fetch(new URL('/tiles/online/1/0/0', edge.server.url))).status).toBe(204);
    await client.tiles.configureOnline({ urlTemplate: provider.url, datum: 'wgs84', maxCacheMb: 64 });
    const first = await fetch(new URL('/tiles/online/1/0/0', edge.server.url));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-edgecab-cache')).toBe('miss');
    const second = await fetch(new URL('/tiles/online/1/0/0', edge.server.url));
    expect(second.headers.get('x-edgecab-cache')).toBe('hit');
    expect((await client.tiles.online()).cachedTiles).toBe(1);

    // Within its size: the least recently used tiles go first.
    const cache = edge.core.services.onlineTiles;
    const coordinates: [number, number, number][] = [[2, 0, 0], [2, 1, 0], [2, 2, 0], [2, 3, 0], [2, 0, 1]];
    for (const [z, x, y] of coordinates) expect(await cache.tile(z, x, y)).not.toBeNull();
    await cache.tile(1, 0, 0);
    const tileBytes = cache.status().cachedBytes / cache.status().cachedTiles;
    cache.configure({ ...cache.settings(), maxCacheMb: (tileBytes * 3.5) / 1024 / 1024 });
    expect(cache.status().cachedTiles).toBe(3);
    expect((await cache.tile(1, 0, 0))?.cached).toBe(true);
    expect((await cache.tile(2, 0, 1))?.cached).toBe(true);

    await provider.server.close();
    const offline = await fetch(new URL('/tiles/online/1/0/0', edge.server.url));
    expect(offline.status).toBe(200);
    expect((await fetch(new URL('/tiles/online/1/1/1', edge.server.url))).status).toBe(204);
  });

  it('refuses a URL template without {z}/{x}/{y}', async () => {
    await expect(edge.core.client('t').tiles.configureOnline({ urlTemplate: 'https://tiles.example/map.png', datum: 'wgs84', maxCacheMb: 10 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
