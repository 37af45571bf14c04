/**
 * The command contract. Commands are thin: they parse nothing themselves (the registry's
 * option specs drive parsing, help and completion), call the stack/reapply/template
 * layers, stream human lines through `ctx.print`, and return data for `--json`.
 * Only cli.ts turns a result or a thrown PatchqError into an exit code.
 */
import type { ReapplyReport } from '../reapply/index.js';

export type OptionType = 'boolean' | 'string' | 'number' | 'optional-string';

export interface OptionSpec {
  /** Long name without dashes, e.g. "fuzz". Also the key in ParsedArgs.options. */
  name: string;
  /** Single-letter short form without dash, e.g. "f". */
  short?: string;
  type: OptionType;
  /** For 'optional-string': the value when given bare (`--merge` = "merge"). */
  implied?: string;
  /** Placeholder in help, e.g. "N". */
  valueName?: string;
  description: string;
  /** May be given several times; values collected into an array. */
  repeat?: boolean;
}

export interface ParsedArgs {
  options: Record<string, string | number | boolean | string[] | undefined>;
  positionals: string[];
  /** Every option as given, in order (a command that hands its options on: grep). */
  order?: Array<{ name: string; value: string | number | boolean }>;
}

export interface Printer {
  /** A line for people (suppressed under --json). */
  line(text?: string): void;
  /** A warning or diagnostic to stderr (always shown). */
  warn(text: string): void;
  /** Progress for long runs: shown only when stdout is a TTY and not --json. */
  progress(done: number, total: number, label: string): void;
}

export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdout is a TTY. */
  tty: boolean;
  /**
   * A full-screen TUI can run: stdout and stdin are terminals (keys are read from stdin) and
   * TERM can move the cursor (not `dumb`). `patchq < file` or an Emacs shell is not.
   */
  interactive: boolean;
  /** Colour enabled (NO_COLOR, --color, settings resolved). */
  color: boolean;
  json: boolean;
  out: Printer;
}

export interface CommandResult {
  /** Defaults to 0. quilt: 1 error, 2 nothing to do. */
  exitCode?: number;
  /** Emitted as JSON under --json. */
  data?: unknown;
  /**
   * Open the TUI on this tree afterwards (cli.ts does it, on a terminal, if the TUI exists);
   * with `report`, on that reapply run's report (the demo's).
   */
  tui?: { cwd: string; report?: ReapplyReport };
}

export type RunFn = (ctx: Context, args: ParsedArgs) => Promise<CommandResult | void>;

/**
 * A registry entry. The metadata lives in registry.ts (it drives help, completion and
 * dispatch); the implementation in commands/<name>.ts is imported only when the command
 * runs, so `patchq applied` does not pay for isomorphic-git, ink or conf.
 */
/** Where `patchq --help` lists a command. */
export type CommandGroup = 'stack' | 'inspection' | 'reapply' | 'templates' | 'settings' | 'other';

export interface Command {
  name: string;
  /** Help section; help.ts has a default per known name. */
  group?: CommandGroup;
  /** Example command lines shown in `patchq CMD --help`. */
  examples?: string[];
  /** One line for the command list. */
  summary: string;
  /** Usage line after `patchq <name>`, quilt style: "[-a | N | NAME] [-f]". */
  usage: string;
  /** Longer help text (paragraphs). */
  description?: string;
  options: OptionSpec[];
  /** Supports --json. */
  json?: boolean;
  /** Positional arguments in help, e.g. "[PATCH]". */
  args?: string;
  /** The most positional arguments it takes: more is a usage error (cli.ts), as quilt's usage. Unset: the command checks. */
  maxArgs?: number;
  load(): Promise<{ run: RunFn }>;
}
