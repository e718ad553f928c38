import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawIcon, encodePng, PALETTES, SIZES } from '../../.ci/icons';

type Rgb = readonly [number, number, number];

/** WCAG relative luminance and contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
const contrast = (a: Rgb, b: Rgb) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

// Toolbars the icon sits on: Chrome's and Firefox's light and dark defaults.
const LIGHT_TOOLBARS: Rgb[] = [
  [0xff, 0xff, 0xff],
  [0xf9, 0xf9, 0xfb],
];
const DARK_TOOLBARS: Rgb[] = [
  [0x3c, 0x3c, 0x3c],
  [0x2b, 0x2a, 0x33],
  [0x1c, 0x1b, 0x22],
];

describe('toolbar icons', () => {
  it('the shipped icons are the ones .ci/icons.ts draws', () => {
    for (const size of SIZES) {
      const shipped = readFileSync(join(process.cwd(), 'public', 'icons', `icon-${size}.png`));
      expect(encodePng(size, drawIcon(size, PALETTES.default)).equals(shipped), `${size}`).toBe(
        true,
      );
    }
    for (const size of [16, 32]) {
      const shipped = readFileSync(
        join(process.cwd(), 'public', 'icons', `icon-light-${size}.png`),
      );
      expect(encodePng(size, drawIcon(size, PALETTES.light)).equals(shipped)).toBe(true);
    }
  });

  it('stand out (3:1, WCAG non-text) on light toolbars by the tile, on dark ones by the outline', () => {
    for (const toolbar of LIGHT_TOOLBARS) {
      expect(contrast(PALETTES.default.tile, toolbar)).toBeGreaterThanOrEqual(3);
    }
    for (const toolbar of DARK_TOOLBARS) {
      expect(contrast(PALETTES.default.outline, toolbar)).toBeGreaterThanOrEqual(3);
      // Firefox's dark-theme variant: the tile itself stands out too.
      expect(contrast(PALETTES.light.tile, toolbar)).toBeGreaterThanOrEqual(3);
    }
    for (const palette of Object.values(PALETTES)) {
      expect(contrast(palette.glyph, palette.tile)).toBeGreaterThanOrEqual(3);
    }
  });

  it('the 16-pixel icon has its outline on every edge and the glyph inside', () => {
    const size = 16;
    const rgba = drawIcon(size, PALETTES.default);
    const at = (x: number, y: number): Rgb => {
      const i = (y * size + x) * 4;
      return [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
    };
    for (const [x, y] of [
      [8, 0],
      [0, 8],
      [15, 8],
      [8, 15],
    ] as const) {
      expect(at(x, y)).toEqual(PALETTES.default.outline);
    }
    expect(rgba[3]).toBe(0); // the rounded corner is transparent
    const glyph = Array.from({ length: size * size }, (_, i) =>
      at(i % size, Math.floor(i / size)),
    ).filter(([r, g, b]) => r === 255 && g === 255 && b === 255).length;
    expect(glyph).toBeGreaterThan(10);
  });
});
