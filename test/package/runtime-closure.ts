import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Bare module names the built main process and back-end worker import (not node:, not electron). */
export function importedPackages(outMainDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.js') || entry.name.endsWith('.cjs')) files.push(join(dir, entry.name));
    }
  };
  walk(outMainDir);
  const names = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bfrom|\bimport|\brequire\()\s*["']([^"'.][^"']*)["']/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || spec === 'electron') continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return [...names].sort();
}

function resolvePackage(name: string, fromDir: string, root: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return null;
  }
}

/**
 * Every installed package those imports need at run time, by Node's resolution: dependencies and
 * installed optional dependencies, transitively. Paths relative to root, e.g. node_modules/exceljs
 * or node_modules/exceljs/node_modules/uuid.
 */
export function runtimeClosure(root: string, packages: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    const rel = dir.slice(root.length + 1);
    if (seen.has(rel)) return;
    seen.add(rel);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const found = resolvePackage(dep, dir, root);
      if (found) visit(found);
      else if (!manifest.optionalDependencies?.[dep]) throw new Error(`${rel} needs ${dep}, which is not installed`);
    }
  };
  for (const name of packages) {
    const found = resolvePackage(name, root, root);
    if (!found) throw new Error(`the build imports ${name}, which is not installed`);
    visit(found);
  }
  return seen;
}

/** The packages inside an asar listing, as paths like node_modules/exceljs/node_modules/uuid. */
export function packedPackages(asarFiles: string[]): Set<string> {
  const packed = new Set<string>();
  for (const file of asarFiles) {
    if (!file.endsWith('/package.json')) continue;
    const parts = file.replace(/^[/\\]/, '').split(/[/\\]/).slice(0, -1);
    let at = 0;
    while (parts[at] === 'node_modules' && parts[at + 1]) at += parts[at + 1]!.startsWith('@') ? 3 : 2;
    if (at === parts.length && at > 0) packed.add(parts.join('/'));
  }
  return packed;
}
