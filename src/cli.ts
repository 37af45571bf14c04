#!/usr/bin/env node
/**
 * Entry point. The only module that calls process.exit. It resolves the command from
 * the registry (unique prefixes allowed, as quilt), parses options from the command's
 * spec, runs it, renders `--json` when asked, and maps errors to exit codes once.
 * With no arguments in a terminal it starts the TUI (loaded with `await import()` so
 * the CLI never pays for ink and react).
 */
import { parseArgs } from './commands/args.js';
import { commands, findCommand } from './commands/registry.js';
import type { Command, Context, Printer } from './commands/types.js';
import { exitCodeFor, isPatchqError, EXIT } from './errors.js';

function makePrinter(json: boolean, tty: boolean): Printer {
  return {
    line: (text = '') => {
      if (!json) process.stdout.write(text + '\n');
    },
    warn: (text) => process.stderr.write(text + '\n'),
    progress: (done, total, label) => {
      if (json || !tty) return;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}\x1b[K`);
      if (done >= total) process.stdout.write('\r\x1b[K');
    },
  };
}

/** The TUI, loaded only when it starts (ink + react cost ~0.6 s to import). null if absent. */
async function openTui(cwd: string): Promise<number | null> {
  try {
    const { startTui } = (await import('./tui/index.js' as string)) as { startTui: (o: { cwd: string; env: NodeJS.ProcessEnv }) => Promise<number> };
    return await startTui({ cwd, env: process.env });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
}

/** `patchq CMD --help`: usage, summary, description, options, exit codes — all from the registry. */
function commandHelp(c: Command): string {
  const opts = [...c.options, { name: 'help', short: 'h', type: 'boolean', description: 'Show this help.' } as const].map((o) => {
    const value = o.type === 'boolean' ? '' : o.type === 'optional-string' ? `[=${o.valueName ?? 'VALUE'}]` : ` ${o.valueName ?? 'VALUE'}`;
    return [`${o.short ? `-${o.short}, ` : '    '}--${o.name}${value}`, o.description] as const;
  });
  const width = Math.max(...opts.map(([f]) => f.length));
  return [
    `Usage: patchq ${c.name} ${c.usage}`.trimEnd(),
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'Options:',
    ...opts.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    '',
    'Exit codes: 0 done, 1 error, 2 nothing to do or usage error (docs/exit-codes.md).',
    '',
  ].join('\n');
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ['Usage: patchq <command> [options] [args]', '', 'Commands:', ...lines, '', "Run 'patchq <command> --help' for a command's options."].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const tty = Boolean(process.stdout.isTTY);
  if (argv.length === 0) {
    process.stdout.write(usage() + '\n');
    return EXIT.ok;
  }
  const [name, ...rest] = argv as [string, ...string[]];
  if (name === '--help' || name === '-h' || name === 'help') {
    const about = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
    process.stdout.write(about && !Array.isArray(about) ? commandHelp(about) : usage() + '\n');
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') return main(['version']);
  const found = findCommand(name);
  if (!found) {
    process.stderr.write(`patchq: unknown command '${name}' (see 'patchq --help')\n`);
    return EXIT.usage;
  }
  if (Array.isArray(found)) {
    process.stderr.write(`patchq: '${name}' is ambiguous: ${found.map((c) => c.name).join(', ')}\n`);
    return EXIT.usage;
  }
  const command = found;
  try {
    const args = parseArgs(command.name, command.options, rest);
    if (args.options.help) {
      process.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const json = Boolean(args.options.json);
    const ctx: Context = {
      cwd: process.cwd(),
      env: process.env,
      tty,
      color: tty && !('NO_COLOR' in process.env && process.env.NO_COLOR !== ''),
      json,
      out: makePrinter(json, tty),
    };
    const { run } = await command.load();
    const result = (await run(ctx, args)) ?? {};
    if (json && result.data !== undefined) process.stdout.write(JSON.stringify(result.data, null, 2) + '\n');
    if (result.tui && tty && !json) {
      const code = await openTui(result.tui.cwd);
      if (code !== null) return code;
    }
    return result.exitCode ?? EXIT.ok;
  } catch (err) {
    if (isPatchqError(err) && rest.includes('--json')) {
      process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message, file: err.file ?? null, line: err.line ?? null } }, null, 2) + '\n');
      return exitCodeFor(err);
    }
    if (isPatchqError(err)) {
      if (err.message !== '') process.stderr.write(err.describe() + '\n');
      return exitCodeFor(err);
    }
    process.stderr.write(`patchq: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.error;
  }
}

// `patchq series | head`: a closed pipe is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`patchq: ${String(err)}\n`);
    process.exitCode = EXIT.error;
  },
);
