/**
 * The one list of commands: help, completion and dispatch all read it.
 * Implementations are loaded lazily (see Command.load).
 */
import type { Command, OptionSpec } from './types.js';

const json: OptionSpec = { name: 'json', type: 'boolean', description: 'Print the result as JSON.' };

export const commands: Command[] = [
  {
    name: 'new',
    summary: 'Create a new patch on top of the applied ones.',
    usage: '[-p N] PATCHNAME | PATCHNAME --template NAME [--set KEY=VALUE]...',
    options: [
      { name: 'strip', short: 'p', type: 'string', valueName: 'N', description: 'Strip level of the new patch (recorded in series when not 1).' },
      { name: 'template', type: 'string', valueName: 'NAME', description: 'Make the patch from a template run on the current tree, then push it.' },
      { name: 'set', type: 'string', repeat: true, valueName: 'KEY=VALUE', description: 'A template parameter (repeatable).' },
      json,
    ],
    json: true,
    load: () => import('./new.js'),
  },
  {
    name: 'add',
    summary: 'Add files to the top patch (back them up in .pc before you edit them).',
    usage: '[-P PATCH] FILE...',
    options: [{ name: 'patch', short: 'P', type: 'string', valueName: 'PATCH', description: 'Add to this applied patch instead of the top one.' }, json],
    json: true,
    load: () => import('./add.js'),
  },
  {
    name: 'refresh',
    summary: 'Regenerate the top (or named) patch from the working tree.',
    usage: '[-p N] [-U N] [--git] [--no-timestamps] [--no-index] [-f] [PATCH]',
    options: [
      { name: 'strip', short: 'p', type: 'string', valueName: 'N', description: 'Labels for strip level N (0: file.orig/file).' },
      { name: 'unified', short: 'U', type: 'number', valueName: 'N', description: 'Lines of context (default 3).' },
      { name: 'git', type: 'boolean', description: 'Write git-style headers (diff --git, a/ b/, index lines).' },
      { name: 'no-timestamps', type: 'boolean', description: 'Leave timestamps out of the ---/+++ lines.' },
      { name: 'no-index', type: 'boolean', description: "Leave out quilt's Index: and ==== lines." },
      { name: 'force', short: 'f', type: 'boolean', description: 'Refresh even when later applied patches touch the same files.' },
      json,
    ],
    json: true,
    load: () => import('./refresh.js'),
  },
  {
    name: 'push',
    summary: 'Apply the next patch(es) of the series, reporting how every hunk landed.',
    usage: '[-a | N | PATCH] [-f] [-q] [--fuzz=N] [--merge[=merge|diff3]] [--leave-rejects] [--refresh]',
    description:
      'Each patch goes through the cascade exact -> offset -> 3-way merge -> fuzzy, and is applied all-or-nothing: a patch that does not apply leaves every file as it was. A hunk whose place is ambiguous is never applied.',
    options: [
      { name: 'all', short: 'a', type: 'boolean', description: 'Apply every unapplied patch.' },
      { name: 'force', short: 'f', type: 'boolean', description: 'Apply what applies, write .rej files for the rest, mark the patch as needing refresh.' },
      { name: 'quiet', short: 'q', type: 'boolean', description: 'Print only patch names and failures.' },
      { name: 'verbose', short: 'v', type: 'boolean', description: 'Accepted for quilt compatibility.' },
      { name: 'fuzz', type: 'number', valueName: 'N', description: 'GNU fuzz factor: outer context lines that may be ignored (default 2).' },
      { name: 'merge', short: 'm', type: 'optional-string', implied: 'merge', valueName: 'merge|diff3', description: 'Use 3-way merge where a pre-image is known; with -f leave conflict markers.' },
      { name: 'leave-rejects', type: 'boolean', description: 'Keep .rej files of a patch that does not apply.' },
      { name: 'refresh', type: 'boolean', description: 'Refresh every patch that landed other than exactly.' },
      json,
    ],
    json: true,
    load: () => import('./push.js'),
  },
  {
    name: 'pop',
    summary: 'Remove applied patches, restoring the files byte for byte.',
    usage: '[-a | N | PATCH] [-f] [-q]',
    options: [
      { name: 'all', short: 'a', type: 'boolean', description: 'Remove every applied patch.' },
      { name: 'force', short: 'f', type: 'boolean', description: 'Remove even when the files changed since the last refresh.' },
      { name: 'quiet', short: 'q', type: 'boolean', description: 'Do not list restored files.' },
      { name: 'verbose', short: 'v', type: 'boolean', description: 'Accepted for quilt compatibility.' },
      { name: 'R', short: 'R', type: 'boolean', description: 'Always verify that the patch removes cleanly (patchq always does).' },
      json,
    ],
    json: true,
    load: () => import('./pop.js'),
  },
  { name: 'applied', summary: 'List the applied patches.', usage: '[PATCH]', options: [json], json: true, load: () => import('./list.js').then((m) => ({ run: m.applied })) },
  { name: 'unapplied', summary: 'List the patches not applied yet.', usage: '[PATCH]', options: [json], json: true, load: () => import('./list.js').then((m) => ({ run: m.unapplied })) },
  {
    name: 'series',
    summary: 'List every patch of the series.',
    usage: '[-v]',
    options: [{ name: 'verbose', short: 'v', type: 'boolean', description: "Mark applied (+) and top (=) patches, and patches that drifted or need a refresh." }, json],
    json: true,
    load: () => import('./list.js').then((m) => ({ run: m.series })),
  },
  {
    name: 'template',
    summary: 'List, show or run templates (patches made from a rule).',
    usage: 'list | show NAME | run NAME [--set KEY=VALUE]... [--dry-run]',
    options: [
      { name: 'set', type: 'string', repeat: true, valueName: 'KEY=VALUE', description: 'A template parameter (repeatable).' },
      { name: 'dry-run', type: 'boolean', description: 'Print the patch; write nothing (run never writes).' },
      json,
    ],
    json: true,
    load: () => import('./template.js'),
  },
  {
    name: 'regen',
    summary: 'Regenerate a template patch on the current tree and show how it changed.',
    usage: '[--dry-run] [PATCH]',
    options: [{ name: 'dry-run', type: 'boolean', description: 'Show the new patch, keep the old one.' }, json],
    json: true,
    load: () => import('./regen.js'),
  },
  {
    name: 'reapply',
    summary: 'After an upstream sync, put the whole series back: push, refresh what drifted, regenerate templates, report.',
    usage: '[--check] [--continue | --abort] [--drop-merged] [--conflicts=merge|diff3|rej] [--markdown FILE] [--json]',
    description:
      'Exit codes: 0 every patch is back (non-exact landings were refreshed and are listed for review); 1 the run stopped at a patch that needs a person (or, with --check, some patch would not apply exactly); 2 usage errors.',
    options: [
      { name: 'check', type: 'boolean', description: 'CI gate: do everything in memory, write nothing, exit 1 unless every patch applies exactly.' },
      { name: 'continue', type: 'boolean', description: 'Go on after fixing the patch the run stopped at.' },
      { name: 'abort', type: 'boolean', description: 'Roll the stopped run back: pop what it pushed, restore the series and patch files.' },
      { name: 'drop-merged', type: 'boolean', description: 'Remove patches upstream already has from the series.' },
      { name: 'conflicts', type: 'string', valueName: 'merge|diff3|rej', description: 'How a failing patch is laid out: merge markers (default) or .rej files.' },
      { name: 'fuzz', type: 'number', valueName: 'N', description: 'GNU fuzz factor (default 2).' },
      { name: 'markdown', type: 'string', valueName: 'FILE', description: 'Also write the report as markdown (CI job summary, PR body).' },
      json,
    ],
    json: true,
    load: () => import('./reapply.js'),
  },
  {
    name: 'sync',
    summary: 'Pop the series, pull upstream, reapply: one step; the tree is restored if the pull fails.',
    usage: '[--pull "COMMAND"] [reapply options]',
    options: [
      { name: 'pull', type: 'string', valueName: 'COMMAND', description: 'The pull command (default: git pull --no-rebase --no-edit upstream HEAD; or $PATCHQ_PULL).' },
      { name: 'drop-merged', type: 'boolean', description: 'Remove patches upstream already has from the series.' },
      { name: 'conflicts', type: 'string', valueName: 'merge|diff3|rej', description: 'How a failing patch is laid out.' },
      { name: 'fuzz', type: 'number', valueName: 'N', description: 'GNU fuzz factor (default 2).' },
      { name: 'markdown', type: 'string', valueName: 'FILE', description: 'Also write the report as markdown.' },
      json,
    ],
    json: true,
    load: () => import('./sync.js'),
  },
  {
    name: 'hook',
    summary: 'Install or remove the git post-merge hook that runs reapply after a pull.',
    usage: 'install | uninstall [--force]',
    options: [{ name: 'force', short: 'f', type: 'boolean', description: 'Replace or remove a hook that is not patchq\'s.' }, json],
    json: true,
    load: () => import('./hook.js'),
  },
  {
    name: 'demo',
    summary: 'Run the main job on an embedded demo fork (what npm start does).',
    usage: '[--dir DIR] [--keep] [--no-tui]',
    options: [
      { name: 'dir', type: 'string', valueName: 'DIR', description: 'Build the demo fork in DIR (kept) instead of a temp dir.' },
      { name: 'keep', type: 'boolean', description: 'Keep the demo fork and print where it is.' },
      { name: 'keep-merged', type: 'boolean', description: 'Do not drop the patch upstream already took (the run then stops there).' },
      { name: 'no-tui', type: 'boolean', description: 'Print the report even on a terminal.' },
      json,
    ],
    json: true,
    load: () => import('./demo.js'),
  },
  { name: 'top', summary: 'Print the top patch.', usage: '', options: [json], json: true, load: () => import('./list.js').then((m) => ({ run: m.top })) },
  { name: 'next', summary: 'Print the patch after the top (or after PATCH).', usage: '[PATCH]', options: [json], json: true, load: () => import('./list.js').then((m) => ({ run: m.next })) },
  { name: 'previous', summary: 'Print the patch before the top (or before PATCH).', usage: '[PATCH]', options: [json], json: true, load: () => import('./list.js').then((m) => ({ run: m.previous })) },
  // Patch files: import, delete, rename, header, export.
  {
    name: 'import',
    summary: 'Import patch files (plain diffs, git format-patch files, mboxes) after the top patch.',
    usage: '[-p N] [-R] [-P PATCH] [-f] [-d o|a|n] FILE...',
    description:
      'The patches are inserted after the top patch and are not pushed. An mbox of several `git format-patch` mails becomes one patch per mail, named as git names its files (0001-subject.patch), with From/Date/Subject and the message as its header. A file that does not parse is refused (FILE:LINE) and nothing is written.',
    options: [
      { name: 'strip', short: 'p', type: 'string', valueName: 'N', description: 'Strip level for the patch (recorded in series when not 1).' },
      { name: 'reverse', short: 'R', type: 'boolean', description: 'Apply the patch in reverse (recorded in series).' },
      { name: 'patch', short: 'P', type: 'string', valueName: 'PATCH', description: 'Name inside patches/ (one patch only).' },
      { name: 'force', short: 'f', type: 'boolean', description: 'Replace a patch of the series that is not applied.' },
      { name: 'desc', short: 'd', type: 'string', valueName: 'o|a|n', description: 'With -f, keep the old (o), all (a) or new (n) header.' },
      json,
    ],
    json: true,
    group: 'stack',
    examples: ['patchq import ../fix.diff', 'patchq import -p0 -P 05-fix.patch ~/fix.diff', 'git format-patch --stdout v1..topic > t.mbox && patchq import t.mbox'],
    load: () => import('./import.js'),
  },
  {
    name: 'delete',
    summary: 'Remove a patch from the series (the top one is popped first).',
    usage: '[-r] [--backup] [PATCH | -n]',
    options: [
      { name: 'next', short: 'n', type: 'boolean', description: 'Delete the patch after the top one.' },
      { name: 'remove', short: 'r', type: 'boolean', description: 'Remove the patch file from patches/ too.' },
      { name: 'backup', type: 'boolean', description: 'With -r, rename the patch file to PATCH~ instead.' },
      json,
    ],
    json: true,
    group: 'stack',
    load: () => import('./delete.js'),
  },
  {
    name: 'rename',
    summary: 'Rename the top (or named) patch: series, patch file and .pc state.',
    usage: '[-P PATCH] NEW_NAME',
    options: [{ name: 'patch', short: 'P', type: 'string', valueName: 'PATCH', description: 'Rename this patch instead of the top one.' }, json],
    json: true,
    group: 'stack',
    load: () => import('./rename.js'),
  },
  {
    name: 'header',
    summary: 'Print or change the header (description) of the top or named patch.',
    usage: '[-a|-r|-e] [--backup] [--dep3] [--strip-diffstat] [--strip-trailing-whitespace] [PATCH]',
    description:
      'Without -a/-r/-e the header is printed. -a appends stdin to it, -r replaces it with stdin, -e opens it in $EDITOR. The diff below the header is kept byte for byte. --dep3 prints the DEP-3 fields (Description, Author, Origin, Bug, Forwarded, Last-Update, ...); with -e it inserts a DEP-3 template into an empty header.',
    options: [
      { name: 'append', short: 'a', type: 'boolean', description: 'Append stdin to the header.' },
      { name: 'replace', short: 'r', type: 'boolean', description: 'Replace the header with stdin.' },
      { name: 'edit', short: 'e', type: 'boolean', description: 'Edit the header in $EDITOR.' },
      { name: 'backup', type: 'boolean', description: 'Keep the old patch file as PATCH~.' },
      { name: 'dep3', type: 'boolean', description: 'Print the DEP-3 fields; with -e, a DEP-3 template for an empty header.' },
      { name: 'strip-diffstat', type: 'boolean', description: 'Drop diffstat lines from the header.' },
      { name: 'strip-trailing-whitespace', type: 'boolean', description: 'Drop trailing whitespace from the header lines.' },
      json,
    ],
    json: true,
    group: 'stack',
    examples: ['patchq header', 'echo "Forwarded: no" | patchq header -a', 'patchq header --dep3 --json 01-fix.patch'],
    load: () => import('./header.js'),
  },
  {
    name: 'export',
    summary: 'Write the series (or the named patches) as git format-patch mails for git am.',
    usage: '[-o DIR] [--numbered] [PATCH...]',
    description:
      'One mail per patch, 0001-<subject>.patch, in series order: From/Date/Subject from the patch header (mail headers or DEP-3 Author/Description/Last-Update), the diff in git form with the series -p level and -R applied. `git am DIR/*.patch` on the base tree makes one commit per patch.',
    options: [
      { name: 'output-directory', short: 'o', type: 'string', valueName: 'DIR', description: 'Write the mails into DIR (default: the current directory).' },
      { name: 'numbered', short: 'n', type: 'boolean', description: 'Subjects as [PATCH n/m] instead of [PATCH].' },
      json,
    ],
    json: true,
    group: 'stack',
    examples: ['patchq export -o out/', 'git am out/*.patch'],
    load: () => import('./export.js'),
  },
  // (end of patch-file commands)
  // Working tree: diff, files, fold, edit, remove, revert, patches, graph.
  // (end of working-tree commands)
  {
    name: 'version',
    summary: 'Print the patchq version.',
    usage: '',
    options: [json],
    json: true,
    load: () => import('./version.js'),
  },
  {
    name: 'config',
    summary: 'Show or change your preferences (fuzz, context, diffStyle, color...).',
    usage: 'list | get KEY | set KEY VALUE | unset KEY | path',
    description: 'Precedence, highest first: command-line option, QUILT_* environment variables, these settings, built-in defaults. `list` shows where each value came from. See docs/settings.md.',
    options: [json],
    json: true,
    group: 'settings',
    examples: ['patchq config set fuzz 0', 'patchq config list --json', 'patchq config unset color'],
    load: () => import('./config.js'),
  },
  {
    name: 'tui',
    summary: 'Browse and drive the patch stack in an interactive terminal view.',
    usage: '',
    options: [],
    examples: ['patchq tui'],
    load: () => import('./tui.js'),
  },
  {
    name: 'completion',
    summary: 'Print a shell completion script (bash, zsh or fish).',
    usage: 'bash | zsh | fish',
    options: [],
    group: 'settings',
    examples: ['source <(patchq completion bash)', 'patchq completion fish > ~/.config/fish/completions/patchq.fish'],
    load: () => import('./completion.js'),
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
