// Owns the "photo shoot": turns one product and a seeded stream of numbers into an SVG scene with a
// varied frame, background, clutter, pose, contact shadow and lighting, plus the JPEG settings to use.
import { shade } from './colour.js';
import type { Rng } from './prng.js';
import { SHAPES, type Product } from './products.js';

/** One planned photo: the SVG to rasterise and how to encode it. */
export interface Shot {
  readonly width: number;
  readonly height: number;
  readonly svg: string;
  readonly quality: number;
  /** Gaussian blur sigma for a slightly out-of-focus shot; 0 for sharp. */
  readonly blur: number;
}

const BACKDROPS = ['#f2f2ef', '#e6e1d8', '#d7dde3', '#c9c2b6', '#b58b62', '#8a6a4f', '#dfe8d8', '#f3e3e8', '#5d6066', '#ffffff'] as const;
const CLUTTER = ['#7b8a99', '#c45c4a', '#4f7d5c', '#d8b25a', '#6a5a8c', '#2e3338', '#e8e8e8', '#9c6b3f'] as const;
// Frame shapes as width:height; the long side is always `size`.
const ASPECTS = [[1, 1], [4, 3], [3, 4], [3, 2]] as const;

function frame(rng: Rng, size: number): { width: number; height: number } {
  const [a, b] = rng.pick(ASPECTS);
  return a >= b ? { width: size, height: Math.round((size * b) / a) } : { width: Math.round((size * a) / b), height: size };
}

function background(rng: Rng, w: number, h: number): string {
  const base = rng.pick(BACKDROPS);
  const style = rng.int(0, 2);
  if (style === 0) return `<rect width="${w}" height="${h}" fill="${base}"/>`;
  if (style === 1) {
    const other = shade(base, rng.range(-0.35, 0.35));
    return `<defs><linearGradient id="bg" x1="${rng.next().toFixed(3)}" y1="0" x2="${rng.next().toFixed(3)}" y2="1">
      <stop offset="0" stop-color="${base}"/><stop offset="1" stop-color="${other}"/></linearGradient></defs>
      <rect width="${w}" height="${h}" fill="url(#bg)"/>`;
  }
  // A tabletop: wall above, surface below, meeting at a horizon line.
  const horizon = Math.round(h * rng.range(0.45, 0.75));
  const table = rng.pick(BACKDROPS);
  return `<rect width="${w}" height="${h}" fill="${base}"/>
    <rect y="${horizon}" width="${w}" height="${h - horizon}" fill="${shade(table, -0.08)}"/>
    <rect y="${horizon}" width="${w}" height="${Math.max(1, Math.round(h * 0.01))}" fill="${shade(table, -0.3)}" fill-opacity="0.6"/>`;
}

function clutterShape(rng: Rng, w: number, h: number, maxSize: number): string {
  const colour = rng.pick(CLUTTER);
  const opacity = rng.range(0.35, 0.95).toFixed(2);
  const x = rng.range(0, w).toFixed(1);
  const y = rng.range(0, h).toFixed(1);
  const s = rng.range(maxSize * 0.25, maxSize);
  switch (rng.int(0, 3)) {
    case 0:
      return `<circle cx="${x}" cy="${y}" r="${(s / 2).toFixed(1)}" fill="${colour}" fill-opacity="${opacity}"/>`;
    case 1:
      return `<rect x="${x}" y="${y}" width="${s.toFixed(1)}" height="${(s * rng.range(0.3, 1.2)).toFixed(1)}" rx="${(s * 0.1).toFixed(1)}"
        fill="${colour}" fill-opacity="${opacity}" transform="rotate(${rng.range(-40, 40).toFixed(1)} ${x} ${y})"/>`;
    case 2:
      return `<line x1="${x}" y1="${y}" x2="${rng.range(0, w).toFixed(1)}" y2="${rng.range(0, h).toFixed(1)}"
        stroke="${colour}" stroke-opacity="${opacity}" stroke-width="${Math.max(1, s * 0.06).toFixed(1)}" stroke-linecap="round"/>`;
    default:
      return `<ellipse cx="${x}" cy="${y}" rx="${(s / 2).toFixed(1)}" ry="${(s / 5).toFixed(1)}" fill="${colour}" fill-opacity="${opacity}"/>`;
  }
}

function lighting(rng: Rng, w: number, h: number): string {
  const angle = rng.range(0, Math.PI * 2);
  const dx = (Math.cos(angle) / 2).toFixed(3);
  const dy = (Math.sin(angle) / 2).toFixed(3);
  const glow = rng.range(0, 0.35).toFixed(2);
  const gloom = rng.range(0, 0.45).toFixed(2);
  // Exposure: under- or over-exposed shots, then a warm or cool white-balance cast.
  const exposure = rng.range(-0.3, 0.2);
  const cast = rng.pick(['#ffb060', '#60a0ff', '#ffffff', '#a0ff90']);
  return `<defs><linearGradient id="light" x1="${(0.5 - Number(dx)).toFixed(3)}" y1="${(0.5 - Number(dy)).toFixed(3)}"
      x2="${(0.5 + Number(dx)).toFixed(3)}" y2="${(0.5 + Number(dy)).toFixed(3)}">
    <stop offset="0" stop-color="#ffffff" stop-opacity="${glow}"/><stop offset="1" stop-color="#000000" stop-opacity="${gloom}"/>
    </linearGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#light)"/>
    <rect width="${w}" height="${h}" fill="${exposure < 0 ? '#000000' : '#ffffff'}" fill-opacity="${Math.abs(exposure).toFixed(2)}"/>
    <rect width="${w}" height="${h}" fill="${cast}" fill-opacity="${rng.range(0, 0.14).toFixed(2)}"/>`;
}

/**
 * Plans one photo of `product`: frame, background, clutter, pose, shadow and lighting all come from
 * `rng`, so the same stream gives the same SVG.
 */
export function planShot(product: Product, rng: Rng, size: number): Shot {
  const { width: w, height: h } = frame(rng, size);
  const short = Math.min(w, h);
  const shape = SHAPES[product.shape];

  const behind = Array.from({ length: rng.int(0, 4) }, () => clutterShape(rng, w, h, short * 0.45)).join('\n');
  const inFront = rng.chance(0.2) ? clutterShape(rng, w, h, short * 0.2) : '';

  // The product is about 200 units tall; fit it to 45-85% of the short side.
  const scale = (short * rng.range(0.45, 0.85)) / 200;
  const cx = w * rng.range(0.32, 0.68);
  const cy = h * rng.range(0.38, 0.62);
  const angle = rng.chance(0.8) ? rng.range(-18, 18) : rng.range(-40, 40);
  const pose = `translate(${cx.toFixed(1)} ${cy.toFixed(1)}) rotate(${angle.toFixed(1)}) scale(${scale.toFixed(4)})`;
  const shadowOpacity = rng.range(0.15, 0.45).toFixed(2);

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<!-- blur is in the product's own units, so it scales with the product -->
<defs><filter id="soft" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="5"/></filter></defs>
${background(rng, w, h)}
${behind}
<g transform="${pose}">
  <ellipse cx="${rng.range(-6, 14).toFixed(1)}" cy="100" rx="${shape.footHalfWidth * 1.1}" ry="10" fill="#000000"
    fill-opacity="${shadowOpacity}" filter="url(#soft)"/>
  ${shape.draw(product)}
</g>
${inFront}
${lighting(rng, w, h)}
</svg>`;

  return { width: w, height: h, svg, quality: rng.int(60, 95), blur: rng.chance(0.2) ? rng.range(0.4, 1.2) : 0 };
}
