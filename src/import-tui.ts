/**
 * The TUI, loaded when it starts: ink has top-level await, which require() cannot load, and
 * the CLI bundle is CommonJS. Each import() of ES-module-only code sits in an import-*.ts
 * module of its layer, itself imported only when needed; rolldown.config.mjs puts them in
 * one chunk, which compile-cache.ts leaves to Node's own loader.
 */
export const importTui = () =>
  import('./tui/index.js' as string) as Promise<{ startTui: (o: { cwd: string; env: NodeJS.ProcessEnv; color?: boolean }) => Promise<number> }>;
