import { deflateSync } from 'node:zlib';
import type { CjkFonts } from './cjk-fonts';
import type { TrueTypeFont } from './woff-font';

/** A4 portrait in PDF points. */
export const A4 = { width: 595.28, height: 841.89 };

interface UsedFont {
  resource: string;
  piece: string;
  font: TrueTypeFont;
  /** glyph → the character it was drawn for (the viewer's copy and search, and pdftotext, read it back). */
  glyphs: Map<number, number>;
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

/**
 * One PDF page of text, lines and filled squares: what a 离校单 needs and no more. Text is set
 * in embedded TrueType pieces (Identity-H, with a ToUnicode map), positions are from the top
 * left in points.
 */
export class PdfPage {
  private readonly content: string[] = [];
  private readonly fonts = new Map<string, UsedFont>();

  constructor(private readonly source: CjkFonts) {}

  private fontFor(codePoint: number): { used: UsedFont; glyph: number } {
    const piece = this.source.pieceOf(codePoint) ?? this.source.pieceOf(0x3f)!;
    let used = this.fonts.get(piece);
    if (!used) {
      used = { resource: `F${this.fonts.size}`, piece, font: this.source.font(piece), glyphs: new Map() };
      this.fonts.set(piece, used);
    }
    return { used, glyph: used.font.glyphOf.get(codePoint) ?? 0 };
  }

  measure(text: string, size: number): number {
    let width = 0;
    for (const ch of text) {
      const { used, glyph } = this.fontFor(ch.codePointAt(0)!);
      width += (used.font.advance(glyph) / used.font.unitsPerEm) * size;
    }
    return width;
  }

  /** The longest head of `text` that fits `width`, with an ellipsis when cut. */
  fit(text: string, size: number, width: number): string {
    if (this.measure(text, size) <= width) return text;
    const chars = [...text];
    while (chars.length > 0 && this.measure(`${chars.join('')}…`, size) > width) chars.pop();
    return `${chars.join('')}…`;
  }

  /** `y` is the baseline, from the top of the page. */
  text(text: string, x: number, y: number, size: number, gray = 0): void {
    const runs: { used: UsedFont; glyphs: number[] }[] = [];
    for (const ch of text) {
      const codePoint = ch.codePointAt(0)!;
      const { used, glyph } = this.fontFor(codePoint);
      if (!used.glyphs.has(glyph)) used.glyphs.set(glyph, codePoint);
      const last = runs[runs.length - 1];
      if (last && last.used === used) last.glyphs.push(glyph);
      else runs.push({ used, glyphs: [glyph] });
    }
    const shown = runs.map((r) => `/${r.used.resource} ${num(size)} Tf <${r.glyphs.map((g) => g.toString(16).padStart(4, '0')).join('')}> Tj`);
    this.content.push(`BT ${num(gray)} g ${num(x)} ${num(A4.height - y)} Td ${shown.join(' ')} ET`);
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.5, gray = 0): void {
    this.content.push(`${num(gray)} G ${num(width)} w ${num(x1)} ${num(A4.height - y1)} m ${num(x2)} ${num(A4.height - y2)} l S`);
  }

  /** A filled rectangle; `y` is its top edge. */
  fill(x: number, y: number, w: number, h: number, gray = 0): void {
    this.content.push(`${num(gray)} g ${num(x)} ${num(A4.height - y - h)} ${num(w)} ${num(h)} re f`);
  }

  toBuffer(title: string): Buffer {
    const objects: (string | Buffer)[] = [];
    const add = (body: string | Buffer): number => objects.push(body);
    const stream = (dict: string, data: Buffer): Buffer => {
      const packed = deflateSync(data);
      return Buffer.concat([Buffer.from(`<< ${dict} /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`, 'latin1'), packed, Buffer.from('\nendstream', 'latin1')]);
    };
    const catalog = add('');
    const pages = add('');
    const page = add('');
    const content = add(stream('', Buffer.from(this.content.join('\n'), 'latin1')));
    const fontRefs: string[] = [];
    for (const used of this.fonts.values()) {
      const { font } = used;
      const scale = (v: number) => Math.round((v * 1000) / font.unitsPerEm);
      const name = `NotoSansSC-${used.piece.replace(/^noto-sans-sc-|-400-normal\.woff$/g, '').replace(/[^A-Za-z0-9]/g, '')}`;
      const file = add(stream(`/Length1 ${font.sfnt.length}`, font.sfnt));
      const descriptor = add(
        `<< /Type /FontDescriptor /FontName /${name} /Flags 4 /FontBBox [${font.bbox.map(scale).join(' ')}] /ItalicAngle 0 /Ascent ${scale(font.ascent)} /Descent ${scale(font.descent)} /CapHeight ${scale(font.ascent)} /StemV 80 /FontFile2 ${file} 0 R >>`,
      );
      const glyphs = [...used.glyphs.keys()].sort((a, b) => a - b);
      const widths = glyphs.map((g) => `${g} [${scale(font.advance(g))}]`).join(' ');
      const cid = add(
        `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${descriptor} 0 R /W [${widths}] /CIDToGIDMap /Identity >>`,
      );
      const toUnicode = add(stream('', Buffer.from(toUnicodeCmap(used.glyphs), 'latin1')));
      const type0 = add(`<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${toUnicode} 0 R >>`);
      fontRefs.push(`/${used.resource} ${type0} 0 R`);
    }
    const info = add(`<< /Title <${utf16Hex(title)}> /Producer (Lixiao Counter) >>`);
    objects[catalog - 1] = `<< /Type /Catalog /Pages ${pages} 0 R >>`;
    objects[pages - 1] = `<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`;
    objects[page - 1] = `<< /Type /Page /Parent ${pages} 0 R /MediaBox [0 0 ${A4.width} ${A4.height}] /Resources << /Font << ${fontRefs.join(' ')} >> >> /Contents ${content} 0 R >>`;

    const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
    let length = parts[0]!.length;
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      offsets.push(length);
      const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n', 'latin1')]);
      parts.push(chunk);
      length += chunk.length;
    });
    const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
    parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R >>\nstartxref\n${length}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }
}

function utf16Hex(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

function toUnicodeCmap(glyphs: Map<number, number>): string {
  const entries = [...glyphs].map(([g, c]) => `<${g.toString(16).padStart(4, '0')}> <${utf16Hex(String.fromCodePoint(c)).slice(4)}>`);
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    blocks.push(`${block.length} beginbfchar\n${block.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    ...blocks,
    'endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
}
