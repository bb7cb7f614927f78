// Owns the demo's product catalogue: a frozen table of five fake shop products and the SVG drawing of
// each package shape. Shapes are drawn centred on (0, 0), about 200 units tall, base at y = 100.
import { escapeXml, mix, shade } from './colour.js';

/** Package shapes the demo knows how to draw. */
export type ShapeName = 'carton' | 'bottle' | 'can' | 'box';

/** One synthetic product: its label (also its folder name), look and brand text. */
export interface Product {
  readonly label: string;
  readonly shape: ShapeName;
  readonly brand: string;
  readonly tagline: string;
  readonly body: string;
  readonly accent: string;
  readonly ink: string;
}

/**
 * The five demo products. The two cans share shape and layout and differ only in brand and colours,
 * so a classifier has one honest confusion to learn.
 */
export const PRODUCTS: readonly Product[] = Object.freeze(([
  { label: 'Lumo milk carton 1L', shape: 'carton', brand: 'LUMO', tagline: 'MILK 1L', body: '#f4f6f8', accent: '#2f6fd0', ink: '#1c3f80' },
  { label: 'Fjord water bottle', shape: 'bottle', brand: 'FJORD', tagline: 'still water', body: '#9fd3ea', accent: '#0f7f9a', ink: '#ffffff' },
  { label: 'Volt energy can', shape: 'can', brand: 'VOLT', tagline: 'ENERGY', body: '#202328', accent: '#a8e61d', ink: '#c4f53a' },
  { label: 'Zest energy can', shape: 'can', brand: 'ZEST', tagline: 'ENERGY', body: '#1d2c48', accent: '#f0c419', ink: '#ffd93a' },
  { label: 'Krisp cereal box', shape: 'box', brand: 'KRISP', tagline: 'crunchy oats', body: '#f08a24', accent: '#ffd23f', ink: '#7a1f0c' },
] satisfies Product[]).map((product): Product => Object.freeze(product)));

// Fonts librsvg may find; on a machine without any of them text renders as empty boxes or nothing.
const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

function text(x: number, y: number, size: number, fill: string, content: string, extra = ''): string {
  return `<text x="${x}" y="${y}" font-family="${FONT}" font-weight="bold" font-size="${size}" fill="${fill}" text-anchor="middle" ${extra}>${escapeXml(content)}</text>`;
}

/** A left-to-right shading gradient that makes a flat shape read as a cylinder. */
function cylinderGradient(id: string, colour: string): string {
  return `<linearGradient id="${id}" x1="0" y1="0" x2="1" y2="0">
    <stop offset="0" stop-color="${shade(colour, -0.45)}"/><stop offset="0.3" stop-color="${shade(colour, 0.25)}"/>
    <stop offset="0.45" stop-color="${shade(colour, 0.05)}"/><stop offset="1" stop-color="${shade(colour, -0.55)}"/></linearGradient>`;
}

function drawCarton(p: Product): string {
  const side = shade(p.body, -0.22);
  return `<g>
  <polygon points="50,-50 78,-64 78,86 50,100" fill="${side}"/>
  <polygon points="50,-50 78,-64 64,-90" fill="${shade(side, -0.08)}"/>
  <polygon points="-50,-50 50,-50 64,-90 -36,-90" fill="${shade(p.body, -0.08)}"/>
  <rect x="-37" y="-99" width="101" height="9" fill="${shade(p.body, -0.12)}"/>
  <rect x="-50" y="-50" width="100" height="150" fill="${p.body}"/>
  <path d="M-50,55 C-20,40 20,70 50,52 L50,100 L-50,100 Z" fill="${p.accent}"/>
  <path d="M50,52 L78,38 L78,86 L50,100 Z" fill="${shade(p.accent, -0.25)}"/>
  ${text(0, -8, 30, p.ink, p.brand)}
  ${text(0, 24, 15, p.accent, p.tagline)}
  <circle cx="0" cy="-40" r="5" fill="${p.accent}"/>
</g>`;
}

function drawBottle(p: Product): string {
  const glass = mix(p.body, '#ffffff', 0.2);
  return `<g>
  <defs>${cylinderGradient('bottleGlass', glass)}${cylinderGradient('bottleLabel', p.accent)}</defs>
  <path d="M-13,-84 L-13,-66 C-13,-50 -36,-44 -36,-22 L-36,88 Q-36,100 -24,100 L24,100 Q36,100 36,88 L36,-22
           C36,-44 13,-50 13,-66 L13,-84 Z" fill="url(#bottleGlass)" fill-opacity="0.9"/>
  <rect x="-16" y="-100" width="32" height="18" rx="3" fill="${shade(p.accent, -0.2)}"/>
  <rect x="-36" y="4" width="72" height="52" fill="url(#bottleLabel)"/>
  ${text(0, 32, 19, p.ink, p.brand)}
  ${text(0, 49, 9, p.ink, p.tagline)}
  <rect x="-26" y="-20" width="6" height="100" rx="3" fill="#ffffff" fill-opacity="0.35"/>
</g>`;
}

function drawCan(p: Product): string {
  return `<g>
  <defs>${cylinderGradient('canBody', p.body)}${cylinderGradient('canBand', p.accent)}${cylinderGradient('canMetal', '#c9ced6')}</defs>
  <rect x="-40" y="-88" width="80" height="182" rx="6" fill="url(#canBody)"/>
  <ellipse cx="0" cy="-88" rx="38" ry="9" fill="url(#canMetal)"/>
  <ellipse cx="0" cy="-88" rx="30" ry="6" fill="${shade('#c9ced6', -0.3)}"/>
  <path d="M-40,88 Q-40,100 -28,100 L28,100 Q40,100 40,88 Z" fill="url(#canMetal)"/>
  <path d="M-40,30 L40,-10 L40,4 L-40,44 Z" fill="url(#canBand)"/>
  ${text(4, 8, 34, p.ink, p.brand, 'transform="rotate(-90 4 0)"')}
  ${text(0, 74, 11, p.accent, p.tagline)}
</g>`;
}

function drawBox(p: Product): string {
  return `<g>
  <polygon points="60,-80 86,-94 86,76 60,90" fill="${shade(p.body, -0.28)}"/>
  <polygon points="-60,-80 -34,-94 86,-94 60,-80" fill="${shade(p.body, 0.18)}"/>
  <rect x="-60" y="-80" width="120" height="170" fill="${p.body}"/>
  <rect x="-60" y="-80" width="120" height="48" fill="${p.accent}"/>
  ${text(0, -46, 32, p.ink, p.brand)}
  <ellipse cx="0" cy="44" rx="40" ry="16" fill="#ffffff"/>
  <path d="M-40,44 Q0,96 40,44 Z" fill="${shade(p.accent, -0.1)}"/>
  <circle cx="-14" cy="38" r="7" fill="#d9a441"/><circle cx="4" cy="34" r="8" fill="#c98f2e"/><circle cx="18" cy="40" r="6" fill="#e0b04f"/>
  ${text(0, 0, 13, p.ink, p.tagline)}
</g>`;
}

interface ShapeSpec {
  readonly draw: (product: Product) => string;
  /** Half width of the base, for the contact shadow. */
  readonly footHalfWidth: number;
}

/** How each shape is drawn. */
export const SHAPES: Readonly<Record<ShapeName, ShapeSpec>> = Object.freeze({
  carton: { draw: drawCarton, footHalfWidth: 64 },
  bottle: { draw: drawBottle, footHalfWidth: 38 },
  can: { draw: drawCan, footHalfWidth: 42 },
  box: { draw: drawBox, footHalfWidth: 74 },
});
