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

/**
 * The home folder: $HOME, else (unset or empty) the user's entry in the password database;
 * null when there is neither (a container run as a uid with no entry, HOME unset: Node's
 * os.homedir() then throws). Then no settings file is read and none can be written, and
 * there is no cache; every command works on its defaults.
 */
export function homeDir(): string | null {
  try {
    const home = homedir();
    if (home) return home;
  } catch {
    // no HOME and no password entry
  }
  try {
    return userInfo().homedir || null;
  } catch {
    return null;
  }
}

/** An XDG_*_HOME variable, only when absolute: the XDG spec calls a relative one invalid, to be ignored. */
export const xdgDir = (value: string | undefined): string | undefined => (value && isAbsolute(value) ? value : undefined);

/** The settings folder; null when it would be in a home folder there is none of (homeDir). */
export function configDir(env: NodeJS.ProcessEnv): string | null {
  if (env.PATCHQ_CONFIG_DIR) return resolve(env.PATCHQ_CONFIG_DIR);
  const xdg = process.platform === 'darwin' || process.platform === 'win32' ? undefined : xdgDir(env.XDG_CONFIG_HOME);
  if (xdg) return join(xdg, 'patchq');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'patchq', 'Config');
  const home = homeDir();
  if (home === null) return null;
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', 'patchq');
  if (process.platform === 'win32') return join(home, 'AppData', 'Roaming', 'patchq', 'Config');
  return join(home, '.config', 'patchq');
}

export const configFile = (env: NodeJS.ProcessEnv): string | null => {
  const dir = configDir(env);
  return dir === null ? null : join(dir, 'config.json');
};

/** Why configFile is null, for a command that must have one (`config set`, `config path`). */
export const NO_CONFIG_HOME = 'no settings file: there is no home folder (HOME is not set, and this user has no entry in the password database); set HOME or PATCHQ_CONFIG_DIR';

/**
 * patchq's caches (V8's compiled code, parsed patches): $PATCHQ_CACHE_DIR, else
 * ${XDG_CACHE_HOME:-~/.cache}/patchq; null (no cache) without a home folder.
 */
export function cacheRoot(env: NodeJS.ProcessEnv): string | null {
  if (env.PATCHQ_CACHE_DIR) return resolve(env.PATCHQ_CACHE_DIR);
  const xdg = xdgDir(env.XDG_CACHE_HOME);
  if (xdg) return join(xdg, 'patchq');
  const home = homeDir();
  return home === null ? null : join(home, '.cache', 'patchq');
}

/** The stored `color` preference, or undefined (missing or broken file: commands that load settings report it). */
export function storedColor(env: NodeJS.ProcessEnv): 'auto' | 'always' | 'never' | undefined {
  const file = configFile(env);
  if (file === null) return undefined;
  try {
    const c = (JSON.parse(readFileSync(file, 'utf8')) as { color?: unknown }).color;
    return c === 'auto' || c === 'always' || c === 'never' ? c : undefined;
  } catch {
    return undefined;
  }
}
