/**
 * The editor's command line for `e`: the files, and where the cursor should be when the
 * person was on a line (a refused hunk, a conflict, a line of a diff). vi, nano, emacs and
 * their kin take `+N` before a file to open it at line N (as `git grep -O`, quilt's users
 * and `less`'s `v` expect); an editor not known to take it gets the files only (`+N` would
 * be opened as a file named "+N" by some, e.g. `code`, `gedit`).
 * Example: editorCommand('vim', ['/t/a.py', '/t/b.py'], 12) -> "vim +12 '/t/a.py' '/t/b.py'";
 * editorCommand('code -w', ['/t/a.py'], 12) -> "code -w '/t/a.py'".
 * A name that is a link is known by what it links to: Debian's `editor` (and `vi` on many
 * systems) is a link through /etc/alternatives to vim.basic, nano or another.
 */
import { realpathSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join } from 'node:path';

/** Editors that read `+N FILE` as "FILE at line N" (the name of the program, no folder). */
const TAKES_LINE: ReadonlySet<string> = new Set([
  // vi and its kin (Debian's vim.basic, vim.tiny... too).
  'vi', 'vim', 'nvim', 'gvim', 'mvim', 'view', 'rvim', 'vimx', 'nvi', 'elvis', 'vile', 'vim.basic', 'vim.tiny', 'vim.nox', 'vim.gtk', 'vim.gtk3',
  // nano and pico.
  'nano', 'rnano', 'pico',
  // emacs and the small emacs-like editors.
  'emacs', 'emacs-nox', 'emacsclient', 'xemacs', 'mg', 'jove', 'zile', 'qemacs',
  // joe and its personalities; kakoune.
  'joe', 'jmacs', 'jpico', 'jstar', 'rjoe', 'kak',
]);

/**
 * The program an editor setting runs: its first word (quotes taken off), without its
 * folder. Example: `"/opt/my vim/bin/nvim" -u NONE` -> "nvim"; `emacsclient -t` -> "emacsclient".
 */
export const editorProgram = (editor: string): string => programName(firstWord(editor));

/** A program's name without its folder (or .exe): "/usr/bin/vim.basic" -> "vim.basic". */
const programName = (path: string): string => basename(path).replace(/\.exe$/i, '');

/** The word the editor setting starts with, as given (quotes taken off, folder kept). */
function firstWord(editor: string): string {
  const m = /^\s*(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(editor);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
}

/**
 * What the program finally is, through links: the word's file (as the shell finds it on
 * PATH when it has no folder), resolved; null when there is none.
 * Example, on Debian with nano chosen: "editor" -> "/usr/bin/nano" (editor -> /etc/alternatives/editor -> /bin/nano).
 */
function resolved(word: string, env: NodeJS.ProcessEnv): string | null {
  if (!word) return null;
  const candidates = word.includes('/') ? [word] : (env.PATH ?? '').split(delimiter).filter((d) => isAbsolute(d)).map((d) => join(d, word));
  for (const c of candidates) {
    try {
      return realpathSync(c);
    } catch {
      // not here: the next folder of PATH
    }
  }
  return null;
}

export const takesLine = (editor: string, env: NodeJS.ProcessEnv = process.env): boolean => {
  if (TAKES_LINE.has(editorProgram(editor))) return true;
  const target = resolved(firstWord(editor), env);
  return target !== null && TAKES_LINE.has(programName(target));
};

/** A path as one shell word. */
const quote = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * The shell command that opens `paths` (the first at `line`, when given and the editor takes
 * it). The setting may carry arguments ("code -w"), so it is run through the shell.
 */
export function editorCommand(editor: string, paths: string[], line?: number, env: NodeJS.ProcessEnv = process.env): string {
  const at = line !== undefined && line > 0 && takesLine(editor, env) ? [`+${Math.floor(line)}`] : [];
  return [editor, ...at, ...paths.map(quote)].join(' ');
}
