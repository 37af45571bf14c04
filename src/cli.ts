#!/usr/bin/env node
/**
 * Entry point. The only module that calls process.exit. It resolves the command from
 * the registry (unique prefixes allowed, as quilt), parses options from the command's
 * spec, runs it, renders `--json` when asked, and maps errors to exit codes once.
 * With no arguments in a terminal it starts the TUI (loaded with `await import()` so
 * the CLI never pays for ink and react).
 */
import { parseCommandLine } from './commands/args.js';
import { commandHelp, usage, usageLine } from './commands/help.js';
import { findCommand } from './commands/registry.js';
import { seriesHere } from './commands/common.js';
import type { Command, CommandResult, Context, Printer } from './commands/types.js';
import { exitCodeFor, isPatchqError, EXIT, namedFromHere, PatchqError, systemRefusal } from './errors.js';
import { dumbTerminal, resolveColor } from './output/color.js';
import { jsonError, jsonResult } from './output/json.js';
import { stdinIsTTY, stdoutFailure, stdoutIsTTY, writeErr, writeOut } from './output/stdio.js';
import { storedColor, workingDir } from './settings/paths.js';
import { quiltArgs } from './settings/quilt-env.js';
import { applyQuiltrc } from './settings/quiltrc.js';

/**
 * The progress bar (a terminal only) is drawn on the line where the next output goes: it
 * is wiped before anything else is printed there, so no line ever starts after a bar.
 */
let barShown = false;
function clearBar(): void {
  if (!barShown) return;
  barShown = false;
  writeOut('\r\x1b[K');
}

function makePrinter(json: boolean, tty: boolean, env: NodeJS.ProcessEnv): Printer {
  return {
    line: (text = '') => {
      if (json) return;
      clearBar();
      writeOut(text + '\n');
    },
    warn: (text) => {
      clearBar();
      writeErr(text + '\n');
    },
    progress: (done, total, label) => {
      if (json || !tty || dumbTerminal(env)) return;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      writeOut(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}\x1b[K`);
      barShown = true;
      if (done >= total) clearBar();
    },
  };
}

/** The TUI, loaded only when it starts (ink + react cost ~0.6 s to import). null if absent. */
async function openTui(cwd: string, color?: boolean, report?: NonNullable<CommandResult['tui']>['report']): Promise<number | null> {
  try {
    const { startTui } = await (await import('./import-tui.js')).importTui();
    return await startTui({ cwd, env: process.env, ...(color !== undefined ? { color } : {}), ...(report ? { report } : {}) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
}

/** One error, printed once: JSON on stdout under --json, else one line on stderr. */
function report(err: unknown, json: boolean, env: NodeJS.ProcessEnv): number {
  clearBar();
  err = systemRefusal(err) ?? err;
  if (isPatchqError(err)) err = namedFromHere(err);
  if (isPatchqError(err)) {
    if (json) writeOut(jsonError(err));
    // quilt prints a command's usage on stdout (and exits 1): its usage() is a printf.
    else if (err.code === 'E_USAGE' && err.message.startsWith('Usage: ')) writeOut(err.message + '\n');
    else if (err.message !== '') writeErr(err.describe() + '\n');
    return exitCodeFor(err);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) writeOut(jsonError({ code: 'E_INTERNAL', message }));
  writeErr(`patchq: internal error: ${message.split('\n')[0]} (please report; PATCHQ_DEBUG=1 shows the stack)\n`);
  if (env.PATCHQ_DEBUG === '1' && err instanceof Error && err.stack) writeErr(err.stack + '\n');
  return EXIT.error;
}

/**
 * No arguments: the TUI on a terminal (stdin one too, and not TERM=dumb: see
 * Context.interactive), else the series when a tree exists, else the usage.
 */
async function bare(tty: boolean): Promise<number> {
  if (interactive(tty, process.env)) {
    // Outside a tree the usage says what to do, as without a terminal.
    if (seriesHere(context(false, tty, false))) {
      const code = await openTui(workingDir());
      if (code !== null) return code;
    }
  } else {
    const found = findCommand('series');
    const ctx = context(false, tty, false);
    // No tree here (or no series): the usage says what to do.
    if (found && !Array.isArray(found) && seriesHere(ctx)) {
      try {
        const { run } = await found.load();
        const result = (await run(ctx, { options: {}, positionals: [] })) ?? {};
        return result.exitCode ?? EXIT.ok;
      } catch (e) {
        if (!isPatchqError(e)) throw e;
      }
    }
  }
  writeOut(usage());
  return EXIT.ok;
}

const interactive = (tty: boolean, env: NodeJS.ProcessEnv): boolean => tty && stdinIsTTY() && !dumbTerminal(env);

function context(json: boolean, tty: boolean, color: boolean): Context {
  return {
    // Asked for only by the commands that need it: --version or config work from a
    // deleted directory, where process.cwd() throws (report() says what happened).
    get cwd() {
      return workingDir();
    },
    env: process.env, tty, color, json, out: makePrinter(json, tty, process.env),
    get interactive() {
      return interactive(tty, process.env);
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const env = process.env;
  const tty = stdoutIsTTY();
  // quilt's global `--quiltrc FILE` (or `--quiltrc=FILE`, `-` for none) comes before the command.
  let rc: string | undefined;
  if (argv[0] === '--quiltrc' && argv.length > 1) [rc, argv] = [argv[1], argv.slice(2)];
  else if (argv[0]?.startsWith('--quiltrc=')) [rc, argv] = [argv[0].slice('--quiltrc='.length), argv.slice(1)];
  // Decided before parsing, so a usage error under --json is JSON too; once the command is
  // known, --json in its QUILT_<CMD>_ARGS counts as well (its result is JSON then: so are its errors).
  let jsonWanted = argv.slice(1).includes('--json');
  try {
    applyQuiltrc(env, rc);
  } catch (e) {
    return report(e, jsonWanted, env);
  }
  if (argv.length === 0) return bare(tty);
  const [name, ...given] = argv as [string, ...string[]];
  // The command, once known: a usage error it marks (data.usage) is followed by its usage.
  let known: Command | undefined;
  try {
    if (name === '--help' || name === '-h' || name === 'help') {
      const about = name === 'help' && given[0] ? findCommand(given[0]) : undefined;
      if (name === 'help' && given[0] && Array.isArray(about)) throw new PatchqError('E_USAGE', `help: '${given[0]}' is ambiguous: ${about.map((c) => c.name).join(', ')}`);
      if (name === 'help' && given[0] && !about) throw new PatchqError('E_USAGE', `help: unknown command '${given[0]}'`);
      writeOut(about && !Array.isArray(about) ? commandHelp(about) : usage());
      return EXIT.ok;
    }
    if (name === '--version' || name === '-V') return main(['version', ...given]);
    const found = findCommand(name);
    if (!found) throw new PatchqError('E_USAGE', `unknown command '${name}' (see 'patchq --help')`);
    if (Array.isArray(found)) throw new PatchqError('E_USAGE', `'${name}' is ambiguous: ${found.map((c) => c.name).join(', ')}`);
    const command = found;
    known = command;
    jsonWanted ||= quiltArgs(command.name, [], env).includes('--json');
    // quilt prepends QUILT_<CMD>_ARGS to the command's own arguments (QUILT.md 2.4).
    let args: ReturnType<typeof parseCommandLine>;
    try {
      args = parseCommandLine(command.name, command.options, given, env);
    } catch (e) {
      // An option quilt's getopt refuses: its word on stderr, then the usage on stdout, as quilt.
      throw isPatchqError(e) && e.code === 'E_USAGE' ? new PatchqError('E_USAGE', e.message, { data: { usage: true } }) : e;
    }
    if (args.options.help) {
      writeOut(commandHelp(command));
      return EXIT.ok;
    }
    if (command.maxArgs !== undefined && args.positionals.length > command.maxArgs) throw new PatchqError('E_USAGE', usageLine(command));
    const json = Boolean(args.options.json);
    const colorOption = typeof args.options.color === 'string' ? args.options.color : undefined;
    const color = !json && resolveColor(env, tty, colorOption, storedColor(env));
    const ctx = context(json, tty, color);
    const { run } = await command.load();
    const result = (await run(ctx, args)) ?? {};
    clearBar();
    if (json && result.data !== undefined) writeOut(jsonResult(result.data));
    if (result.tui && tty && !json) {
      const code = await openTui(result.tui.cwd, color, result.tui.report);
      if (code !== null) return code;
    }
    return result.exitCode ?? EXIT.ok;
  } catch (err) {
    const code = report(err, jsonWanted, env);
    // An option or a value quilt's getopt or case refuses (--frce, --color=x, --merge=x):
    // the word on stderr, then the command's usage on stdout, as quilt's usage().
    if (known && !jsonWanted && isPatchqError(err) && err.data?.usage === true) writeOut(usageLine(known) + '\n');
    return code;
  }
}

/**
 * Output that could not be written (a full disk, EIO; not a closed pipe, the reader's
 * choice) is said on stderr, once, at the very end (a stream reports its error a tick
 * later): the command itself ran to its end. One that had done well exits 1, as its report
 * is lost; a failing one keeps its code.
 */
process.once('exit', (code) => {
  const failure = stdoutFailure();
  if (failure === undefined) return;
  writeErr(`patchq: could not write to standard output (${failure}): what this command printed is lost\n`);
  if (code === EXIT.ok) process.exitCode = EXIT.error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = report(err, false, process.env);
  },
);
