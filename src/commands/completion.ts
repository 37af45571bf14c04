/**
 * `patchq completion bash|zsh|fish`: scripts generated from the registry, so a new command
 * or option completes without touching this file. Patch names are completed at run time
 * by calling `patchq --quiltrc=- series` (quietly; outside a tree it prints nothing), as
 * quilt's completion does: bare names even when a quiltrc sets QUILT_PATCHES_PREFIX.
 */
import { PatchqError } from '../engine/errors.js';
import { commands } from './registry.js';
import type { Command, RunFn } from './types.js';

/** Commands whose positional argument is a patch of the series (their registry usage). */
const TAKES_PATCH = new Set(['push', 'pop', 'refresh', 'delete', 'applied', 'unapplied', 'next', 'previous', 'regen', 'rename', 'header', 'files', 'graph', 'fork', 'export']);
/** Commands whose positional arguments are files of the tree (or, for import, patch files to read). */
const TAKES_FILE = new Set(['add', 'edit', 'remove', 'revert', 'annotate', 'patches', 'diff', 'import', 'grep']);
/** Commands that take no positional argument to complete: nothing is offered. */
const TAKES_NOTHING = new Set(['fold', 'top', 'series', 'snapshot', 'version', 'tui']);
/** bash and zsh: what the positional of `c` completes to (1 patch names, 2 nothing, 0 files). */
const operand = (c: Command): number => (TAKES_PATCH.has(c.name) ? 1 : TAKES_NOTHING.has(c.name) ? 2 : 0);

const flags = (c: Command): string[] => [
  ...c.options.flatMap((o) => [...(o.short === o.name ? [] : [`--${o.name}`]), ...(o.short ? [`-${o.short}`] : [])]),
  '--help',
  '--color',
];
/** Single-quote for sh: it's -> 'it'\''s'. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashScript(): string {
  const names = commands.map((c) => c.name).join(' ');
  const cases = commands.map((c) => `    ${c.name}) opts=${q(flags(c).join(' '))}; patch=${operand(c)} ;;`);
  return `# patchq bash completion: source <(patchq completion bash)
_patchq() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W ${q(names + ' help')} -- "$cur") )
    return 0
  fi
  local cmd=\${COMP_WORDS[1]} opts='' patch=0
  case "$cmd" in
${cases.join('\n')}
    help) COMPREPLY=( $(compgen -W ${q(names)} -- "$cur") ); return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  elif [ "$patch" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "$(\${COMP_WORDS[0]} --quiltrc=- series 2>/dev/null)" -- "$cur") )
  elif [ "$patch" -eq 2 ]; then
    :
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
  return 0
}
complete -F _patchq patchq
`;
}

export function zshScript(): string {
  const subs = commands.map((c) => q(`${c.name.replace(/:/g, '\\:')}:${c.summary}`)).join(' ');
  const cases = commands.map((c) => `    ${c.name}) opts=(${flags(c).map(q).join(' ')}); patch=${operand(c)} ;;`);
  return `#compdef patchq
# patchq zsh completion: patchq completion zsh > "\${fpath[1]}/_patchq"
_patchq() {
  local -a subs opts; local patch=0
  subs=(${subs})
  if (( CURRENT == 2 )); then _describe 'command' subs; return; fi
  case "\${words[2]}" in
${cases.join('\n')}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then compadd -- $opts
  elif (( patch == 1 )); then compadd -- \${(f)"$(\${words[1]} --quiltrc=- series 2>/dev/null)"}
  elif (( patch == 0 )); then _files; fi
}
# Autoloaded from $fpath (this file named _patchq), its body runs at the first TAB: complete
# now. Sourced (source <(patchq completion zsh)), register it for the TABs to come.
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _patchq "$@"
else
  compdef _patchq patchq
fi
`;
}

export function fishScript(): string {
  const lines = ['# patchq fish completion: patchq completion fish > ~/.config/fish/completions/patchq.fish', 'complete -c patchq -f'];
  for (const c of commands) {
    lines.push(`complete -c patchq -n __fish_use_subcommand -a ${q(c.name)} -d ${q(c.summary)}`);
    for (const o of c.options) {
      lines.push(`complete -c patchq -n ${q(`__fish_seen_subcommand_from ${c.name}`)} -l ${q(o.name)}${o.short ? ` -s ${q(o.short)}` : ''} -d ${q(o.description)}`);
    }
    if (TAKES_PATCH.has(c.name)) lines.push(`complete -c patchq -n ${q(`__fish_seen_subcommand_from ${c.name}`)} -a '(patchq --quiltrc=- series 2>/dev/null)'`);
    // `complete -c patchq -f` above turns file names off for every command: back on here.
    if (TAKES_FILE.has(c.name)) lines.push(`complete -c patchq -n ${q(`__fish_seen_subcommand_from ${c.name}`)} -F`);
  }
  return lines.join('\n') + '\n';
}

export const run: RunFn = async (ctx, args) => {
  const shell = args.positionals[0];
  const script = shell === 'bash' ? bashScript() : shell === 'zsh' ? zshScript() : shell === 'fish' ? fishScript() : undefined;
  if (script === undefined) throw new PatchqError('E_USAGE', `completion: name a shell: bash, zsh or fish${shell ? ` (got '${shell}')` : ''}`);
  ctx.out.line(script.trimEnd());
  return {};
};
