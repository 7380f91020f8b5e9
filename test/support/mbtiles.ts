import BetterSqlite3 from 'better-sqlite3';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 256×256 PNG of one colour with a darker border, so drawn tiles are visible in screenshots. */
export function solidPng(red: number, green: number, blue: number): Buffer {
  const size = 256;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x += 1) {
      const edge = x < 2 || y < 2;
      row[1 + x * 3] = edge ? red / 2 : red;
      row[2 + x * 3] = edge ? green / 2 : green;
      row[3 + x * 3] = edge ? blue / 2 : blue;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Writes a raster MBTiles file with every tile of zoom levels 0..maxZoom (TMS rows, as the format wants). */
export function writeMbtiles(file: string, maxZoom: number, name = 'Test tiles'): number {
  const db = new BetterSqlite3(file);
  db.exec('CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB); CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);');
  const meta = db.prepare('INSERT INTO metadata VALUES (?, ?)');
  for (const [key, value] of [['name', name], ['format', 'png'], ['minzoom', '0'], ['maxzoom', String(maxZoom)], ['bounds', '-180,-85,180,85'], ['attribution', 'EdgeCab test tiles']]) meta.run(key, value);
  const insert = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)');
  const palette = [solidPng(250, 224, 178), solidPng(200, 230, 201), solidPng(187, 222, 251)];
  let count = 0;
  db.transaction(() => {
    for (let z = 0; z <= maxZoom; z += 1) {
      for (let x = 0; x < 2 ** z; x += 1) {
        for (let y = 0; y < 2 ** z; y += 1) {
          insert.run(z, x, y, palette[(x + y + z) % palette.length]);
          count += 1;
        }
      }
    }
  })();
  db.close();
  return count;
}
