// The shipped CLI: tsc's output (dist/) bundled into dist/bin/, one file per lazily loaded
// part (each command, the TUI), packages left to node_modules. A command then loads a few
// files instead of ~60 modules, each resolved and read on its own: ~30 ms less per command.
// dist/bin/ sits two levels below the package root, as every dist/<dir>/x.js does, so the
// modules' `../..` paths (templates/, patches/, package.json) hold in the bundle too.
export default {
  input: 'dist/cli.js',
  platform: 'node',
  external: [/^[^./]/],
  // push and pop import refresh lazily to keep the module graph acyclic, not to split it.
  checks: { ineffectiveDynamicImport: false },
  output: { dir: 'dist/bin', format: 'esm', cleanDir: true },
};
