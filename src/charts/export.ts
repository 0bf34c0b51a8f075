// Export a chart as SVG or PNG and its table as CSV. The SVG carries its computed styles inline, so it looks the same
// opened on its own; the PNG is that SVG drawn onto a canvas.
import { color } from 'd3';
import { formatCsv } from '../core/csv.ts';
import type { ChartTable } from './data/index.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/** Style properties that change how an SVG element looks; only these are inlined (and only when set). */
const STYLE_PROPS = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity',
  'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline', 'visibility',
] as const;

/** What getComputedStyle reports for an element no stylesheet touched; not worth inlining. */
const DEFAULTS: Record<string, string[]> = {
  'fill-opacity': ['1'], 'stroke-opacity': ['1'], 'opacity': ['1'], 'visibility': ['visible'],
  'stroke-dasharray': ['none'], 'font-style': ['normal'], 'dominant-baseline': ['auto'],
};
/** SVG's initial values, which the root element need not spell out (children compare with their parent instead). */
const ROOT_DEFAULTS: Record<string, string[]> = {
  'fill': ['rgb(0, 0, 0)', 'black', '#000'], 'stroke': ['none', 'rgba(0, 0, 0, 0)'], 'stroke-width': ['1', '1px'],
  'text-anchor': ['start'], 'font-weight': ['400', 'normal'],
};
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/**
 * The chart's <svg> as a standalone SVG document: xmlns set, width and height from the viewBox, computed styles inlined,
 * interactive attributes (tabindex) dropped, and the chart's title drawn above it (so a picture pasted into slides says
 * what it shows, and that it is simulated where it is). Needs the element to be in a document (for getComputedStyle).
 */
export function serializeSvg(svg: SVGSVGElement): string {
  return standalone(svg).text;
}

function standalone(svg: SVGSVGElement): { text: string; size: { width: number; height: number } | null } {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const view = typeof window === 'undefined' ? null : window;
  const source = [svg, ...svg.querySelectorAll('*')];
  const target = [clone, ...clone.querySelectorAll('*')];
  source.forEach((el, i) => {
    const copy = target[i];
    if (!copy) return;
    copy.removeAttribute('tabindex');
    copy.removeAttribute('class');
    if (!view) return;
    const computed = view.getComputedStyle(el);
    const parent = el === svg ? null : el.parentElement && view.getComputedStyle(el.parentElement);
    const inline: string[] = [];
    for (const prop of STYLE_PROPS) {
      const value = computed.getPropertyValue(prop).trim();
      if (value === '' || DEFAULTS[prop]?.includes(value)) continue;
      if (!parent && ROOT_DEFAULTS[prop]?.includes(value)) continue;
      // Inherited from the parent, which carries it already (opacity is the one property here that does not inherit).
      if (prop !== 'opacity' && parent && parent.getPropertyValue(prop).trim() === value) continue;
      // The presentation attribute, which the file keeps, already says it; only page CSS that overrides it is inlined.
      const attribute = copy.getAttribute(prop);
      if (attribute !== null && sameValue(attribute, value)) continue;
      inline.push(`${prop}:${value}`);
    }
    if (inline.length > 0) copy.setAttribute('style', inline.join(';'));
    else copy.removeAttribute('style');
  });
  // Namespaces as declarations, not plain attributes (a plain `xmlns` set by the framework would be written twice).
  for (const el of [clone, ...clone.querySelectorAll('*')]) el.removeAttribute('xmlns');
  clone.setAttributeNS(XMLNS_NS, 'xmlns', SVG_NS);
  clone.setAttributeNS(XMLNS_NS, 'xmlns:xlink', XLINK_NS);
  clone.setAttribute('version', '1.1');
  let size = viewBoxSize(svg);
  if (size) {
    size = addHeading(clone, size);
    clone.setAttribute('width', String(size.width));
    clone.setAttribute('height', String(size.height));
  }
  const text = new XMLSerializer().serializeToString(clone);
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${text}`, size };
}

const HEADING_FONT = 13;
const HEADING_LINE = 17;
const HEADING_PAD = 8;

/** Draws the SVG's <title> as text above the chart, wrapped to its width; returns the new size. */
function addHeading(clone: SVGSVGElement, size: { width: number; height: number }): { width: number; height: number } {
  const title = [...clone.children].find((c) => c.localName === 'title')?.textContent?.trim();
  if (!title) return size;
  const doc = clone.ownerDocument;
  const lines = wrapWords(title, size.width - 2 * HEADING_PAD);
  const head = HEADING_PAD + lines.length * HEADING_LINE + HEADING_PAD / 2;
  const body = doc.createElementNS(SVG_NS, 'g');
  body.setAttribute('transform', `translate(0,${head})`);
  for (const child of [...clone.childNodes]) {
    if (child.nodeType === 1 && ['title', 'desc'].includes((child as Element).localName)) continue;
    body.appendChild(child);
  }
  const background = doc.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', String(size.width));
  background.setAttribute('height', String(size.height + head));
  background.setAttribute('fill', '#fff');
  const heading = doc.createElementNS(SVG_NS, 'text');
  heading.setAttribute('font-size', String(HEADING_FONT));
  heading.setAttribute('font-weight', '600');
  heading.setAttribute('fill', '#1d232b');
  lines.forEach((line, i) => {
    const span = doc.createElementNS(SVG_NS, 'tspan');
    span.setAttribute('x', String(HEADING_PAD));
    span.setAttribute('y', String(HEADING_PAD + (i + 0.8) * HEADING_LINE));
    span.textContent = line;
    heading.appendChild(span);
  });
  clone.append(background, heading, body);
  clone.setAttribute('viewBox', `0 0 ${size.width} ${size.height + head}`);
  return { width: size.width, height: size.height + head };
}

/**
 * Greedy word wrap by estimated text width (bold, so a little wider than textWidth's regular estimate); a title too long
 * for one line breaks first after its dash ("… by model and task —" / "includes simulated responses, not a model").
 */
function wrapWords(text: string, maxWidth: number): string[] {
  const width = (s: string) => s.length * HEADING_FONT * 0.62;
  if (width(text) <= maxWidth) return [text];
  const parts = text.split(/(?<= —) /);
  if (parts.length > 1) return parts.flatMap((part) => wrapWords(part, maxWidth));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && width(next) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** An attribute and a computed value that mean the same: "#222" and "rgb(34, 34, 34)", "12" and "12px". */
function sameValue(attribute: string, computed: string): boolean {
  if (attribute === computed) return true;
  const a = color(attribute);
  const b = color(computed);
  if (a && b) return a.formatRgb() === b.formatRgb() && a.opacity === b.opacity;
  const na = Number.parseFloat(attribute);
  if (Number.isFinite(na) && /^[\d.]+(px)?$/.test(attribute.trim()) && /^[\d.]+(px)?$/.test(computed)) return na === Number.parseFloat(computed);
  const bare = (x: string) => x.replace(/["'\s]/g, '').toLowerCase();
  return bare(attribute) === bare(computed);
}

/** Width and height from the viewBox attribute (our charts always set one), or null. */
function viewBoxSize(svg: SVGSVGElement): { width: number; height: number } | null {
  const parts = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  if (parts.length !== 4 || !parts.every(Number.isFinite) || parts[2] <= 0 || parts[3] <= 0) return null;
  return { width: parts[2], height: parts[3] };
}

/** The chart as an SVG file. */
export function svgBlob(svg: SVGSVGElement): Blob {
  return new Blob([serializeSvg(svg)], { type: 'image/svg+xml;charset=utf-8' });
}

/** Thrown when the browser cannot rasterise the chart. */
export class PngExportError extends Error {
  override name = 'PngExportError';
}

/** The chart as a PNG, drawn at `scale` times its size (2 for sharp slides). Browser only. */
export async function pngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { text, size: own } = standalone(svg);
  const size = own ?? { width: svg.clientWidth, height: svg.clientHeight };
  if (size.width <= 0 || size.height <= 0) throw new PngExportError('The chart has no size yet; show it on the page, then export it.');
  const width = Math.ceil(size.width * scale);
  const height = Math.ceil(size.height * scale);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const image = new Image();
    image.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new PngExportError('This browser could not draw the chart as an image; export it as SVG instead.'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new PngExportError('This browser has no 2D canvas; export the chart as SVG instead.');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new PngExportError('The PNG could not be encoded; export the chart as SVG instead.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A chart's table as CSV (RFC 4180 quoting by d3-dsv), columns in the table's order, undefined numbers empty. */
export function tableCsv(table: ChartTable): string {
  return formatCsv(table.rows, table.columns);
}

/** A table's CSV as a file. */
export function csvBlob(table: ChartTable): Blob {
  return new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' });
}

/**
 * A file name for an export: "persona-refusal-lab_refusal-rate-by-model-and-task_my-study_2025-11-22.svg".
 * The date is passed in (no clock here); parts are lower-cased and reduced to letters, digits and dashes.
 */
export function exportFilename(chart: string, ext: 'svg' | 'png' | 'csv', study?: string, date?: Date): string {
  const slug = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const parts = ['persona-refusal-lab', slug(chart), study ? slug(study) : '', date ? date.toISOString().slice(0, 10) : ''].filter((p) => p !== '');
  return `${parts.join('_')}.${ext}`;
}

/** Offer a blob to the user as a download. Browser only. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
