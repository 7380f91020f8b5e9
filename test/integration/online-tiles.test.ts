import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { rendererDir } from '../../main/cli/paths.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { tempDir } from '../support/core.js';
import { writeMbtiles } from '../support/mbtiles.js';

describe('online tiles, cached in SQLite for offline use', () => {
  const dirs: { dir: string; cleanup: () => void }[] = [];
  let provider: { core: Core; server: RunningServer; url: string };
  let edge: { core: Core; server: RunningServer };
  const start = async () => {
    const dir = tempDir();
    dirs.push(dir);
    const core = createCore({ dataDir: dir.dir, host: 'server' });
    return { core, server: await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() }), dir: dir.dir };
  };

  beforeAll(async () => {
    // The "online" provider is another server on loopback, serving an MBTiles package.
    const started = await start();
    const file = `${started.dir}/source.mbtiles`;
    writeMbtiles(file, 3);
    const imported = started.core.services.tiles.importMbtiles(file, 'Provider', 'wgs84');
    provider = { ...started, url: `${started.server.url}tiles/${imported.id}/{z}/{x}/{y}.png` };
    edge = await start();
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
