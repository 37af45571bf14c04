/**
 * The one list of commands: help, completion and dispatch all read it.
 * Implementations are loaded lazily (see Command.load).
 */
import type { Command, OptionSpec } from './types.js';

const json: OptionSpec = { name: 'json', type: 'boolean', description: 'Print the result as JSON.' };

export const commands: Command[] = [
  {
    name: 'version',
    summary: 'Print the patchq version.',
    usage: '',
    options: [json],
    json: true,
    load: () => import('./version.js'),
  },
];

export function findCommand(name: string): Command | Command[] | undefined {
  const exact = commands.find((c) => c.name === name);
  if (exact) return exact;
  // quilt accepts any unique prefix (`quilt ref` = refresh); ambiguous lists candidates.
  const matches = commands.filter((c) => c.name.startsWith(name));
  if (matches.length === 1) return matches[0];
  return matches.length > 1 ? matches : undefined;
}

export const jsonOption = json;
