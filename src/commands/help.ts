/**
 * Help text, all from the registry: `patchq --help` lists commands by group,
 * `patchq CMD --help` (or `patchq help CMD`) shows usage, summary, description, every
 * option with its value name, and the exit codes. Pure strings: cli.ts prints them.
 */
import { commands } from './registry.js';
import type { Command, CommandGroup, OptionSpec } from './types.js';

export const GROUP_TITLES: Record<CommandGroup, string> = {
  stack: 'Stack',
  inspection: 'Inspection',
  reapply: 'Reapply after an upstream sync',
  templates: 'Templates',
  settings: 'Settings and shell',
  other: 'Other',
};

/** Fallback for entries that do not name their group yet (the registry is shared). */
const DEFAULT_GROUP: Record<string, CommandGroup> = {
  new: 'stack', add: 'stack', refresh: 'stack', push: 'stack', pop: 'stack', delete: 'stack', rename: 'stack',
  fold: 'stack', import: 'stack', edit: 'stack', remove: 'stack', header: 'stack', fork: 'stack',
  applied: 'inspection', unapplied: 'inspection', series: 'inspection', top: 'inspection', next: 'inspection',
  previous: 'inspection', diff: 'inspection', files: 'inspection', patches: 'inspection', annotate: 'inspection',
  reapply: 'reapply', sync: 'reapply', hook: 'reapply', demo: 'reapply',
  template: 'templates', regen: 'templates',
  config: 'settings', completion: 'settings', help: 'settings', version: 'settings',
};

export const groupOf = (c: Command): CommandGroup => c.group ?? DEFAULT_GROUP[c.name] ?? 'other';

export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  done',
  '  1  error (a patch does not apply, bad input, a usage error, a locked tree...)',
  '  2  nothing to do',
  'With --json, errors are {"error":{...}} on stdout with the same code (docs/exit-codes.md).',
];

export const GLOBAL_HELP: [string, string][] = [
  ['-h, --help', 'Show help for the command.'],
  ['    --color[=WHEN]', 'Colour output: always, auto or never (also NO_COLOR, FORCE_COLOR, the color setting).'],
];

function optionFlag(o: OptionSpec): string {
  const value = o.type === 'boolean' ? '' : o.type === 'optional-string' ? `[=${o.valueName ?? 'VALUE'}]` : ` ${o.valueName ?? 'VALUE'}`;
  // A short-only option (quilt's pop -R, grep's -I): its one-letter name is no long form.
  if (o.short && o.name === o.short) return `-${o.short}${value}`;
  return `${o.short ? `-${o.short}, ` : '    '}--${o.name}${value}`;
}

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

/** `Usage: patchq push [-a | N | PATCH] ...`: the first line of the help, and the message of a usage error. */
export const usageLine = (c: Command): string => `Usage: patchq ${c.name} ${c.usage}`.trimEnd();

export function commandHelp(c: Command): string {
  const rows: [string, string][] = [...c.options.map((o): [string, string] => [optionFlag(o), o.description]), ...GLOBAL_HELP];
  return [
    usageLine(c),
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'Options:',
    ...table(rows),
    ...(c.examples?.length ? ['', 'Examples:', ...c.examples.map((e) => `  ${e}`)] : []),
    '',
    ...EXIT_CODES_HELP,
    '',
  ].join('\n');
}

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const out = ['Usage: patchq <command> [options] [args]', '', 'Commands (any unique prefix works: `patchq ref` = refresh):'];
  for (const g of Object.keys(GROUP_TITLES) as CommandGroup[]) {
    const inGroup = commands.filter((c) => groupOf(c) === g);
    if (inGroup.length === 0) continue;
    out.push('', `${GROUP_TITLES[g]}:`, ...inGroup.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`));
  }
  out.push('', "Run 'patchq <command> --help' (or 'patchq help <command>') for its options.", '', ...EXIT_CODES_HELP, '');
  return out.join('\n');
}
