import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
// The shipped CLI: tsc's output (dist/) bundled into dist/bin/, one file per lazily loaded
// part (each command), so a command loads a few files instead of ~60 modules.
// - The CLI is CommonJS (dist/bin/cli.cjs and its *.cjs chunks), with the small libraries
//   it runs on every command (parse-diff, diff, node-diff3, yaml) inside. On Node 20 an ES
//   module entry costs ~16 ms more to start than a CommonJS one (the ESM loader, with
//   fs/promises, streams and readline behind it), and each bare import is resolved through
//   node_modules: measured 452 -> 408 ms for push -a + pop -a of 99 patches (BENCHMARKS.md).
// - The TUI stays ES modules (dist/bin/tui.mjs and its chunks): ink has top-level await,
//   which require() cannot load. The CLI reaches it with import(), as before.
// - conf and isomorphic-git stay in node_modules, loaded with import() when needed.
// dist/bin/ sits two levels below the package root, as every dist/<dir>/x.js does, so the
// modules' `../..` paths (templates/, patches/, package.json) hold in the bundles too.
const lazy = ['conf', 'isomorphic-git'];

/** The modules `from` reaches through static imports (tsc's output: `import ... from './x.js'`), itself included. */
function staticClosure(from) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)';/gm)) visit(resolve(dirname(file), m[1]));
    for (const m of text.matchAll(/^import\s+'(\.{1,2}\/[^']+)';/gm)) visit(resolve(dirname(file), m[1]));
  };
  visit(resolve(from));
  return seen;
}
// What every command loads: cli.ts and all it imports statically, in one chunk (the
// dynamic import of cli.js), less what the entry itself holds. Left to rolldown, a few of
// them (engine/errors, the registry, quilt-env) came out as chunks of their own, each a
// file more to resolve, read and compile on every start.
const entry = staticClosure('dist/main.js');
const core = new Set([...staticClosure('dist/cli.js')].filter((f) => !entry.has(f)));
// The patch parser's identity, for the parsed patches src/stack/parse-cache.ts keeps between
// runs: a hash of everything parsePatch runs (tsc's output of src/engine/, and parse-diff),
// so an entry written by another build is never read.
function parserId() {
  const h = createHash('sha256');
  const add = (file) => h.update(file).update('\0').update(readFileSync(file)).update('\0');
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)).forEach((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.js') && add(join(dir, e.name))));
  walk('dist/engine');
  add('node_modules/parse-diff/index.js');
  add('node_modules/parse-diff/package.json');
  return h.digest('hex').slice(0, 16);
}
const define = { __PATCHQ_PARSER_ID__: JSON.stringify(parserId()) };
const LAUNCHER = [
  '#!/bin/sh',
  `':' //; PATCHQ_EXTRA_CA_CERTS="\${NODE_EXTRA_CA_CERTS+=}\${NODE_EXTRA_CA_CERTS-}" NODE_EXTRA_CA_CERTS= exec node "$0" "$@"`,
].join('\n');
export default [
  {
    // main.ts turns V8's compile cache on, then loads cli.ts (a chunk of its own).
    input: { cli: 'dist/main.js' },
    platform: 'node',
    transform: { define },
    external: [/^node:/, ...lazy],
    // cli.ts's import('./tui/index.js') is the ES module bundle below.
    plugins: [{ name: 'tui-esm', resolveId: (id) => (id === './tui/index.js' ? { id: './tui.mjs', external: true } : null) }],
    // push and pop import refresh lazily to keep the module graph acyclic, not to split it.
    checks: { ineffectiveDynamicImport: false },
    // What includeDependenciesRecursively: false (the 'cli' group) needs, and what rolldown
    // otherwise sets itself with a warning on every build: the entry may export more than
    // main.js does (it exports nothing anyone imports).
    preserveEntrySignatures: 'allow-extension',
    output: {
      // The entry is both a POSIX sh script and JavaScript: sh runs Node on it with
      // NODE_EXTRA_CA_CERTS emptied (src/main.ts says why and gives it back); for Node the
      // second line is a string and a comment. `patchq` is Unix only for it (quilt is too).
      postBanner: (chunk) => (chunk.isEntry ? LAUNCHER : ''),
      dir: 'dist/bin', format: 'cjs', cleanDir: true,
      entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs',
      // The import() calls of ES-module-only code (src/**/import-*.ts), in a chunk of their
      // own: compile-cache.ts leaves it to Node.
      codeSplitting: { groups: [{ name: 'esm', test: /[\\/]dist[\\/](.+[\\/])?import-[a-z]+\.js$/ }, { name: 'cli', test: (id) => core.has(id), includeDependenciesRecursively: false }] },
    },
  },
  {
    input: { tui: 'dist/tui/index.js' },
    platform: 'node',
    transform: { define },
    external: [/^[^./]/],
    checks: { ineffectiveDynamicImport: false },
    output: { dir: 'dist/bin', format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: 'tui-[name]-[hash].mjs' },
  },
];
