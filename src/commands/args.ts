/**
 * Option parsing driven by a command's OptionSpec list, quilt-style:
 *   -f -a -q        short booleans, clustered as -afq
 *   -p1 / -p 1      short with value, attached or separate
 *   --fuzz=2 / --fuzz 2
 *   --merge / --merge=diff3   optional value ('optional-string')
 *   --              ends options
 * Unknown options are a usage error naming the option.
 */
import { isPatchqError, PatchqError } from '../engine/errors.js';
import { quiltArgs } from '../settings/quilt-env.js';
import type { OptionSpec, ParsedArgs } from './types.js';

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'help', short: 'h', type: 'boolean', description: 'Show help for the command.' },
  // Global so QUILT_PUSH_ARGS="--color=auto" (Debian's quiltrc) works on every command.
  { name: 'color', type: 'optional-string', implied: 'always', valueName: 'always|auto|never', description: 'Colour output.' },
];

export function parseArgs(command: string, specs: OptionSpec[], argv: string[]): ParsedArgs {
  const all = [...specs, ...GLOBAL_OPTIONS];
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const order: NonNullable<ParsedArgs['order']> = [];
  // A command's own spec wins over a global one of the same name (first set wins).
  const byLong = new Map(all.map((s) => [s.name, s] as const).reverse());
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short!, s] as const).reverse());

  const set = (spec: OptionSpec, raw: string | boolean) => {
    let value: string | number | boolean = raw;
    if (spec.type === 'number') {
      const n = Number(raw);
      if (typeof raw !== 'string' || raw === '' || !Number.isInteger(n) || n < 0) {
        throw new PatchqError('E_USAGE', `${command}: option --${spec.name} needs a whole number, got '${String(raw)}'`);
      }
      value = n;
    }
    order.push({ name: spec.name, value });
    if (spec.repeat) {
      const prev = options[spec.name];
      options[spec.name] = [...(Array.isArray(prev) ? prev : []), String(value)];
    } else {
      options[spec.name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new PatchqError('E_USAGE', `${command}: unknown option '--${name}' (see 'patchq ${command} --help')`);
      if (spec.type === 'boolean') {
        if (eq >= 0) throw new PatchqError('E_USAGE', `${command}: option '--${name}' takes no value`);
        set(spec, true);
      } else if (spec.type === 'optional-string') {
        set(spec, eq >= 0 ? arg.slice(eq + 1) : (spec.implied ?? ''));
      } else if (eq >= 0) {
        set(spec, arg.slice(eq + 1));
      } else {
        const next = argv[++i];
        if (next === undefined) throw new PatchqError('E_USAGE', `${command}: option '--${name}' needs a value`);
        set(spec, next);
      }
      continue;
    }
    // A lone "-" or a negative-looking number is a positional.
    if (arg.length > 1 && arg[0] === '-' && !/^-\d+$/.test(arg)) {
      for (let j = 1; j < arg.length; j++) {
        const spec = byShort.get(arg[j]!);
        if (!spec) throw new PatchqError('E_USAGE', `${command}: unknown option '-${arg[j]}' (see 'patchq ${command} --help')`);
        if (spec.type === 'boolean') {
          set(spec, true);
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest !== '') set(spec, rest);
        else if (spec.type === 'optional-string') set(spec, spec.implied ?? '');
        else {
          const next = argv[++i];
          if (next === undefined) throw new PatchqError('E_USAGE', `${command}: option '-${spec.short}' needs a value`);
          set(spec, next);
        }
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals, order };
}

/**
 * A command's arguments as quilt reads them: QUILT_<CMD>_ARGS's words, then the command
 * line (settings/quilt-env.ts). A mistake in the variable's words names the variable: it is
 * not on the command line the user typed (a quiltrc's QUILT_REFRESH_ARGS="--diffstat").
 */
export function parseCommandLine(command: string, specs: OptionSpec[], given: string[], env: NodeJS.ProcessEnv): ParsedArgs {
  const words = quiltArgs(command, [], env);
  try {
    return parseArgs(command, specs, [...words, ...given]);
  } catch (e) {
    if (words.length > 0 && isPatchqError(e) && e.code === 'E_USAGE') {
      try {
        parseArgs(command, specs, words);
      } catch (inVariable) {
        if (isPatchqError(inVariable) && inVariable.code === 'E_USAGE') throw new PatchqError('E_USAGE', `QUILT_${command.toUpperCase()}_ARGS: ${inVariable.message}`);
      }
    }
    throw e;
  }
}
