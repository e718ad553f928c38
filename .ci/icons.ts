/**
 * `npx tsx .ci/icons.ts`: draws the toolbar and store icons into public/icons, so they can be
 * changed and checked as code (same input, same bytes).
 *
 *   icon-<size>.png        a blue tile with a white magnifier, ringed by a thin light outline:
 *                          the tile stands out on light toolbars, the outline on dark ones
 *                          (Chrome has one icon for both);
 *   icon-light-<size>.png  a lighter tile for dark themes, which Firefox picks through the
 *                          manifest's action.theme_icons ("light": the icon for light text).
 *
 * Shapes are measured on a 128-unit grid and sampled 4×4 per pixel for smooth edges.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

interface Palette {
  tile: Rgb;
  glyph: Rgb;
  outline: Rgb;
}

export const PALETTES = {
  // Tile #3559c7: 5.9:1 against a light toolbar, glyph 6.2:1 on it.
  default: { tile: [0x35, 0x59, 0xc7], glyph: [255, 255, 255], outline: [0xe8, 0xed, 0xff] },
  // Tile #6286ec: 3.2:1 or more against dark toolbars before the outline helps; glyph 3.4:1.
  light: { tile: [0x62, 0x86, 0xec], glyph: [255, 255, 255], outline: [0xf2, 0xf5, 0xff] },
} as const satisfies Record<string, Palette>;

export const SIZES = [16, 32, 48, 128] as const;
const SAMPLES = 4;

/** Distance from (x, y) to the segment a–b. */
function toSegment(x: number, y: number, ax: number, ay: number, bx: number, by: number) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** Signed distance to the rounded tile's edge (negative inside), on the 128 grid. */
function tileDistance(x: number, y: number): number {
  const r = 24;
  const qx = Math.abs(x - 64) - (64 - r);
  const qy = Math.abs(y - 64) - (64 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** What covers one point of the 128 grid: nothing, the outline, the tile or the glyph. */
function layerAt(x: number, y: number, outlineWidth: number): 'none' | keyof Palette {
  const edge = tileDistance(x, y);
  if (edge > 0) return 'none';
  if (edge > -outlineWidth) return 'outline';
  const ring = Math.abs(Math.hypot(x - 56, y - 56) - 27.5);
  const handle = toSegment(x, y, 78, 78, 100, 100);
  return ring <= 5.75 || handle <= 6 ? 'glyph' : 'tile';
}

/** One icon as RGBA rows. The outline is one pixel wide at 16 and 32, wider above. */
export function drawIcon(size: number, palette: Palette): Uint8Array {
  const unit = 128 / size;
  const outlineWidth = Math.max(1, size / 32) * unit;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const layer = layerAt(
            (px + (sx + 0.5) / SAMPLES) * unit,
            (py + (sy + 0.5) / SAMPLES) * unit,
            outlineWidth,
          );
          if (layer === 'none') continue;
          covered++;
          palette[layer].forEach((c, i) => (sum[i]! += c));
        }
      }
      const at = (py * size + px) * 4;
      if (covered === 0) continue;
      for (let i = 0; i < 3; i++) rgba[at + i] = Math.round(sum[i]! / covered);
      rgba[at + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A minimal PNG: 8-bit RGBA, no filter, one IDAT (https://www.w3.org/TR/png/). */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

if (process.argv[1]?.endsWith('icons.ts')) {
  const dir = join(import.meta.dirname, '..', 'public', 'icons');
  for (const size of SIZES) {
    writeFileSync(join(dir, `icon-${size}.png`), encodePng(size, drawIcon(size, PALETTES.default)));
  }
  // Firefox shows these on dark themes; the toolbar takes 16 and 32.
  for (const size of [16, 32]) {
    writeFileSync(
      join(dir, `icon-light-${size}.png`),
      encodePng(size, drawIcon(size, PALETTES.light)),
    );
  }
}
