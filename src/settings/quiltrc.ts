/**
 * quilt's resource file, read as quilt reads it: `--quiltrc FILE` (or `-` for none), else
 * $QUILTRC, else ~/.quiltrc, else /etc/quilt.quiltrc (Debian ships one). quilt sources the
 * file as shell; patchq reads its plain assignments (`NAME=value`, `export NAME="value"`,
 * single or double quotes) and skips any line that needs a shell (tests, `$` expansions),
 * so the QUILT_* variables people keep there apply to patchq too. As in quilt, a value
 * from the file overrides the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { homeDir } from './paths.js';

/** The file quilt would read, or null. `explicit` is --quiltrc's value. */
export function quiltrcPath(env: NodeJS.ProcessEnv, explicit?: string): string | null {
  const chosen = explicit ?? env.QUILTRC;
  if (chosen === '-') return null;
  if (chosen) return chosen;
  // quilt reads "$HOME/.quiltrc": an empty HOME is not the current folder here either.
  const home = env.HOME || homeDir();
  for (const p of [...(home ? [join(home, '.quiltrc')] : []), '/etc/quilt.quiltrc']) if (existsSync(p)) return p;
  return null;
}

const ASSIGN = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Plain assignments of a quiltrc text, in order (a later one wins). */
export function parseQuiltrc(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = ASSIGN.exec(line);
    if (!m) continue;
    const value = shellWord(m[2]!);
    if (value !== null) out[m[1]!] = value;
  }
  return out;
}

/** One shell word without expansions: "a b", 'a b', a\ b; null when it needs a shell. */
function shellWord(raw: string): string | null {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === ' ' || c === '\t' || c === ';') break;
    if (c === '#' && out === '') break;
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      if (end < 0) return null;
      out += raw.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < raw.length && raw[j] !== '"'; j++) {
        if (raw[j] === '$' || raw[j] === '`') return null;
        if (raw[j] === '\\' && j + 1 < raw.length && '"\\$`'.includes(raw[j + 1]!)) j++;
        out += raw[j];
      }
      if (j >= raw.length) return null;
      i = j + 1;
    } else if (c === '$' || c === '`' || c === '(' || c === '&' || c === '|') {
      return null;
    } else if (c === '\\' && i + 1 < raw.length) {
      out += raw[i + 1];
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  // Anything after the word other than a comment (`A=1 B=2 cmd`) is shell we do not run.
  const rest = raw.slice(i).trim();
  if (rest !== '' && !rest.startsWith('#') && rest !== ';') return null;
  return out;
}

/** The variables the quiltrc sets, merged over env (quilt's order); a missing --quiltrc file is an error. */
export function applyQuiltrc(env: NodeJS.ProcessEnv, explicit?: string): void {
  const path = quiltrcPath(env, explicit);
  if (path === null) return;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (explicit === undefined && env.QUILTRC === undefined) return; // a default file that vanished
    throw new PatchqError('E_CONFIG', `cannot read quiltrc ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  Object.assign(env, parseQuiltrc(text));
}
