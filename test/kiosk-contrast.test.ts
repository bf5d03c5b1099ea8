import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { AVATAR_COLOURS } from '../kiosk/renderer/view.ts';

/**
 * WCAG 2.x AA for the screen's text: 4.5:1 for normal text. Colours are read from the stylesheets
 * themselves (the shared base, then the kiosk's own, which may override it), so a palette change that
 * hurts legibility fails here, not at the door.
 */
const css = ['../ui/base.css', '../kiosk/renderer/styles.css']
  .map((file) => readFileSync(new URL(file, import.meta.url), 'utf8'))
  .join('\n');

function variable(name: string): string {
  // The last definition wins, as in the cascade.
  const m = [...css.matchAll(new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`, 'g'))].at(-1);
  if (!m?.[1]) throw new Error(`--${name} not found in ui/base.css or kiosk/renderer/styles.css`);
  return m[1];
}

/** Relative luminance of an sRGB colour (WCAG 2.x). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('screen colours meet WCAG AA contrast (4.5:1)', () => {
  const pairs: [fg: string, bg: string][] = [
    ['ink', 'bg'],
    ['ink', 'surface'],
    ['muted', 'bg'],
    ['muted', 'surface'],
    ['accent-ink', 'accent'],
    ['accent', 'surface'],
    ['in', 'in-soft'],
    ['in', 'surface'],
    ['out', 'out-soft'],
    ['out', 'surface'],
    ['warn', 'warn-soft'],
    ['info', 'info-soft'],
    ['ink', 'accent-soft'],
  ];
  it.each(pairs)('--%s on --%s', (fg, bg) => {
    expect(contrast(variable(fg), variable(bg))).toBeGreaterThanOrEqual(4.5);
  });

  it.each([...AVATAR_COLOURS])('white initials on avatar colour %s', (colour) => {
    expect(contrast('#ffffff', colour)).toBeGreaterThanOrEqual(4.5);
  });
});
