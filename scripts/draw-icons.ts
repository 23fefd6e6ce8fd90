import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/**
 * Draws the app icon (resources/icons): a rounded teal square with a white clearance tick over
 * a document, at 512 and 256 px as PNG and as a Windows .ico (PNG-compressed entries). Run with
 * `npx tsx scripts/draw-icons.ts` after changing the drawing; the files are committed.
 */
const out = join(import.meta.dirname, '..', 'resources', 'icons');

type Rgba = [number, number, number, number];
const TEAL: Rgba = [15, 118, 110, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const PAPER: Rgba = [236, 253, 245, 255];

/** Coverage of a pixel by a shape, supersampled 4x4 so edges are smooth. */
function coverage(inside: (x: number, y: number) => boolean, px: number, py: number): number {
  let hits = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside(px + (i + 0.5) / 4, py + (j + 0.5) / 4)) hits++;
  return hits / 16;
}

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number) {
  return (x: number, y: number) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

/** A thick segment from (ax, ay) to (bx, by). */
function stroke(ax: number, ay: number, bx: number, by: number, width: number) {
  return (x: number, y: number) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (width / 2) ** 2;
  };
}

function draw(size: number): Buffer {
  const s = size / 512;
  const layers: [(x: number, y: number) => boolean, Rgba][] = [
    [roundedRect(16 * s, 16 * s, 496 * s, 496 * s, 96 * s), TEAL],
    [roundedRect(136 * s, 96 * s, 376 * s, 416 * s, 24 * s), PAPER],
    [stroke(176 * s, 160 * s, 336 * s, 160 * s, 20 * s), TEAL],
    [stroke(176 * s, 208 * s, 296 * s, 208 * s, 20 * s), TEAL],
    [stroke(190 * s, 300 * s, 240 * s, 350 * s, 40 * s), WHITE],
    [stroke(240 * s, 350 * s, 400 * s, 220 * s, 40 * s), WHITE],
    [stroke(190 * s, 300 * s, 240 * s, 350 * s, 24 * s), TEAL],
    [stroke(240 * s, 350 * s, 400 * s, 220 * s, 24 * s), TEAL],
  ];
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let px: Rgba = [0, 0, 0, 0];
      for (const [shape, color] of layers) {
        const a = coverage(shape, x, y);
        if (a === 0) continue;
        const outA = a + (px[3] / 255) * (1 - a);
        const mix = (c: number, d: number) => (outA === 0 ? 0 : (c * a + d * (px[3] / 255) * (1 - a)) / outA);
        px = [mix(color[0], px[0]), mix(color[1], px[1]), mix(color[2], px[2]), outA * 255];
      }
      rows.set(px.map(Math.round), y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  return png(size, rows);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size: number, rows: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** An .ico whose entries are PNGs (Windows Vista and later read them). */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png: data }) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt16LE(1, 4);
    e.writeUInt16LE(32, 6);
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

const sizes = [512, 256, 128, 64, 48, 32, 16];
const drawn = new Map(sizes.map((size) => [size, draw(size)]));
writeFileSync(join(out, 'icon.png'), drawn.get(512)!);
writeFileSync(join(out, '256x256.png'), drawn.get(256)!);
writeFileSync(join(out, '512x512.png'), drawn.get(512)!);
writeFileSync(join(out, 'icon.ico'), ico([256, 48, 32, 16].map((size) => ({ size, png: drawn.get(size)! }))));
console.log(`图标已写入 ${out}`);
