import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readWoffFont, woffCharacters, type TrueTypeFont } from './woff-font';

/**
 * Noto Sans SC from @fontsource (already a dependency: the counter prints with it), in the
 * unicode-range pieces it ships. A slip embeds only the pieces its characters fall in, so the
 * PDF carries tens of kilobytes of font per piece instead of the whole 1.5 MB face, and renders
 * the same on a phone with no Chinese fonts.
 */
export class CjkFonts {
  private index: Map<number, string> | null = null;
  private readonly loaded = new Map<string, TrueTypeFont>();
  private readonly dir: string;

  constructor(dir = join(dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-sc/package.json')), 'files')) {
    this.dir = dir;
  }

  /** Which piece holds a character (null: none does). Pieces are read once, on first use. */
  pieceOf(codePoint: number): string | null {
    if (!this.index) {
      this.index = new Map();
      // The whole-face file repeats the numbered pieces; the pieces keep each PDF small.
      const files = readdirSync(this.dir).filter((f) => f.endsWith('-400-normal.woff') && !f.includes('chinese-simplified'));
      for (const file of files.sort()) {
        for (const c of woffCharacters(readFileSync(join(this.dir, file)))) if (!this.index.has(c)) this.index.set(c, file);
      }
    }
    return this.index.get(codePoint) ?? null;
  }

  font(piece: string): TrueTypeFont {
    let font = this.loaded.get(piece);
    if (!font) {
      font = readWoffFont(readFileSync(join(this.dir, piece)));
      this.loaded.set(piece, font);
    }
    return font;
  }
}
