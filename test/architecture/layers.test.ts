/**
 * The layer rule, checked on every `npm test`:
 *   engine <- stack <- templates <- reapply <- commands <- cli, tui
 *   fsx, git, settings, output: leaves used by stack and above.
 * An import from a layer to one on its right is a failure naming the file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** What each top-level folder of src/ may import from (besides itself and node/npm modules). */
const ALLOWED: Record<string, string[]> = {
  engine: [],
  fsx: ['engine'],
  git: ['engine'],
  settings: ['engine'],
  output: ['engine'],
  stack: ['engine', 'fsx', 'git', 'settings'],
  templates: ['engine', 'fsx', 'stack', 'git'],
  reapply: ['engine', 'fsx', 'git', 'stack', 'templates', 'settings'],
  demo: ['engine', 'fsx', 'git', 'stack', 'templates', 'reapply'],
  commands: ['engine', 'fsx', 'git', 'settings', 'output', 'stack', 'templates', 'reapply', 'demo', '.'],
  tui: ['engine', 'fsx', 'git', 'settings', 'output', 'stack', 'templates', 'reapply', 'commands', '.'],
  '.': ['engine', 'commands', 'output', 'settings', 'tui', '.'],
};

/** Packages only some layers may touch. */
const PACKAGE_RULES: Array<{ pkg: RegExp; only: string[] }> = [
  { pkg: /^(node:)?(fs|fs\/promises|child_process|path)$/, only: Object.keys(ALLOWED).filter((l) => l !== 'engine') },
  { pkg: /^isomorphic-git/, only: ['git'] },
  { pkg: /^(ink|react|ink-.*)$/, only: ['tui'] },
  { pkg: /^conf$/, only: ['settings'] },
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

const layerOf = (file: string): string => {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? '.' : rel[0]!;
};

describe('layering', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const layer = layerOf(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      // Static imports, re-exports and dynamic import() calls alike.
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        const where = `${relative(SRC, file)}:${i + 1}`;
        if (spec.startsWith('.')) {
          const target = layerOf(join(file, '..', spec));
          if (target !== layer && !(ALLOWED[layer] ?? []).includes(target)) {
            violations.push(`${where}: ${layer} imports ${target} ('${spec}')`);
          }
          continue;
        }
        for (const rule of PACKAGE_RULES) {
          if (rule.pkg.test(spec) && !rule.only.includes(layer)) violations.push(`${where}: ${layer} imports '${spec}'`);
        }
      }
    });
  }

  it('keeps every import inside the layer rule', () => {
    expect(violations).toEqual([]);
  });

  it('finds the source tree it checks', () => {
    expect(files(SRC).length).toBeGreaterThan(5);
  });
});
