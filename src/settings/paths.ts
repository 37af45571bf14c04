/**
 * Where the settings file lives, computed without importing conf (cli.ts reads the
 * `color` preference at start-up and must stay cheap). Same place conf/env-paths use:
 *   $PATCHQ_CONFIG_DIR/config.json                  (tests, portable installs)
 *   Linux:   ${XDG_CONFIG_HOME:-~/.config}/patchq/config.json
 *   macOS:   ~/Library/Preferences/patchq/config.json
 *   Windows: %APPDATA%\patchq\Config\config.json
 */
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { readFileSync, realpathSync } from 'node:fs';

/**
 * The current directory as the shell names it: $PWD when it is that directory reached
 * through a symlink (a project under a linked folder), else the real path. quilt (bash)
 * walks up from there and names the tree's folder in its diff labels (proj.orig/ proj/)
 * by it, so patchq does the same: the same root and the same labels as quilt. A $PWD that
 * is stale (not this directory; a process started with another cwd) is ignored, as bash
 * ignores it.
 */
export function workingDir(env: NodeJS.ProcessEnv = process.env): string {
  const real = process.cwd();
  const pwd = env.PWD;
  if (logical?.[0] === real && logical[1] === pwd) return logical[2];
  let dir = real;
  if (pwd && pwd !== real && isAbsolute(pwd) && resolve(pwd) === pwd) {
    try {
      if (realpathSync(pwd) === real) dir = pwd;
    } catch {
      // gone, or no longer reachable: the real path
    }
  }
  logical = [real, pwd, dir];
  return dir;
}
let logical: [string, string | undefined, string] | undefined;

/** The home folder: $HOME, else (unset or empty) the user's entry in the password database. */
export function homeDir(): string {
  const home = homedir();
  if (home) return home;
  try {
    return userInfo().homedir;
  } catch {
    return home;
  }
}

/** An XDG_*_HOME variable, only when absolute: the XDG spec calls a relative one invalid, to be ignored. */
export const xdgDir = (value: string | undefined): string | undefined => (value && isAbsolute(value) ? value : undefined);

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.PATCHQ_CONFIG_DIR) return resolve(env.PATCHQ_CONFIG_DIR);
  const home = homeDir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', 'patchq');
  if (process.platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'patchq', 'Config');
  return join(xdgDir(env.XDG_CONFIG_HOME) ?? join(home, '.config'), 'patchq');
}

export const configFile = (env: NodeJS.ProcessEnv): string => join(configDir(env), 'config.json');

/** patchq's caches (V8's compiled code, parsed patches): $PATCHQ_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/patchq. */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  return env.PATCHQ_CACHE_DIR ? resolve(env.PATCHQ_CACHE_DIR) : join(xdgDir(env.XDG_CACHE_HOME) ?? join(homeDir(), '.cache'), 'patchq');
}

/** The stored `color` preference, or undefined (missing or broken file: commands that load settings report it). */
export function storedColor(env: NodeJS.ProcessEnv): 'auto' | 'always' | 'never' | undefined {
  try {
    const c = (JSON.parse(readFileSync(configFile(env), 'utf8')) as { color?: unknown }).color;
    return c === 'auto' || c === 'always' || c === 'never' ? c : undefined;
  } catch {
    return undefined;
  }
}
