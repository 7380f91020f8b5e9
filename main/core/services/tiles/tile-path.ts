import type { Services } from '../../services.js';

/** /tiles/<package>/<z>/<x>/<y>.<ext> (an imported package) or /tiles/online/<z>/<x>/<y> (the online source, cached). */
const PACKAGE_TILE = /^\/tiles\/([0-9a-f-]{36})\/(\d{1,2})\/(\d{1,9})\/(\d{1,9})\.(png|jpg|webp|mvt)$/;
const ONLINE_TILE = /^\/tiles\/online\/(\d{1,2})\/(\d{1,9})\/(\d{1,9})$/;

export type TileAnswer = { status: 200; data: Buffer; contentType: string; cache: 'hit' | 'miss' | null } | { status: 204 | 404 };

export function isTilePath(pathname: string): boolean {
  return pathname.startsWith('/tiles/');
}

/** Answers a tile path the same way for every host: the server's HTTP route and the desktop's app:// protocol. */
export async function answerTile(services: Services, pathname: string): Promise<TileAnswer> {
  const packaged = PACKAGE_TILE.exec(pathname);
  if (packaged) {
    try {
      const tile = await services.tiles.tile(packaged[1]!, Number(packaged[2]), Number(packaged[3]), Number(packaged[4]));
      return tile ? { status: 200, data: tile.data, contentType: tile.contentType, cache: null } : { status: 204 };
    } catch {
      return { status: 404 };
    }
  }
  const online = ONLINE_TILE.exec(pathname);
  if (online) {
    const tile = await services.onlineTiles.tile(Number(online[1]), Number(online[2]), Number(online[3]));
    return tile ? { status: 200, data: tile.data, contentType: tile.contentType, cache: tile.cached ? 'hit' : 'miss' } : { status: 204 };
  }
  return { status: 404 };
}
