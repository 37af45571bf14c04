/**
 * User preferences (never stack state: that stays in patches/ and .pc/ where quilt reads it).
 * Precedence, highest first: command-line option > QUILT_* / EDITOR / PAGER environment >
 * the conf store > built-in defaults. Every resolved value carries where it came from, so
 * `patchq config list` can say e.g. `fuzz = 0 (env QUILT_PATCH_OPTS)`.
 * The store lives in conf's default place, or in $PATCHQ_CONFIG_DIR (tests set a temp dir).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Conf from 'conf';
import { PatchqError } from '../engine/errors.js';
import { NO_CONFIG_HOME, configFile, homeDir } from './paths.js';
import { settingsFromEnv } from './quilt-env.js';

export interface Settings {
  fuzz: number;
  context: number;
  diffStyle: 'quilt' | 'git';
  prefix: 'quilt' | 'ab';
  timestamps: boolean;
  index: boolean;
  merge: 'none' | 'merge' | 'diff3';
  editor: string;
  color: 'auto' | 'always' | 'never';
  pager: string;
}
export type SettingKey = keyof Settings;
export type Source = 'option' | 'env' | 'settings' | 'default';
export type ResolvedSettings = { [K in SettingKey]: { value: Settings[K]; source: Source; from?: string } };

export const DEFAULTS: Settings = {
  fuzz: 2,
  context: 3,
  diffStyle: 'quilt',
  prefix: 'quilt',
  timestamps: true,
  index: true,
  merge: 'none',
  editor: 'vi',
  color: 'auto',
  pager: 'less -R',
};

type Kind = { type: 'int' } | { type: 'bool' } | { type: 'string' } | { type: 'enum'; values: readonly string[] };
/** The schema: one entry per key. Used for `config set`, the store and the env parser. */
export const SCHEMA: Record<SettingKey, Kind & { description: string }> = {
  fuzz: { type: 'int', description: 'GNU fuzz factor for push (outer context lines that may be ignored).' },
  context: { type: 'int', description: 'Lines of context refresh writes.' },
  diffStyle: { type: 'enum', values: ['quilt', 'git'], description: 'Header style refresh writes.' },
  prefix: { type: 'enum', values: ['quilt', 'ab'], description: "Path labels: 'quilt' (dir.orig/dir) or 'ab' (a/ b/)." },
  timestamps: { type: 'bool', description: 'Timestamps on ---/+++ lines.' },
  index: { type: 'bool', description: "quilt's Index: and ==== lines." },
  merge: { type: 'enum', values: ['none', 'merge', 'diff3'], description: 'Default 3-way merge style for push.' },
  editor: { type: 'string', description: 'Editor for edit/header -e.' },
  color: { type: 'enum', values: ['auto', 'always', 'never'], description: 'When to colour output.' },
  pager: { type: 'string', description: 'Pager for long output (empty: none); not used yet: patchq does not page.' },
};

export const isSettingKey = (k: string): k is SettingKey => Object.hasOwn(SCHEMA, k);

/** Parse a string (from `config set` or the environment) for KEY; throws E_CONFIG naming `where`. */
export function parseValue(key: SettingKey, raw: string, where?: { file?: string }): Settings[SettingKey] {
  const v = coerce(key, raw);
  if (v === undefined) throw new PatchqError('E_CONFIG', `invalid value '${raw}' for ${key}: ${expected(key)}`, where);
  return v;
}

function coerce(key: SettingKey, raw: unknown): Settings[SettingKey] | undefined {
  const kind = SCHEMA[key];
  if (kind.type === 'int') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isInteger(n) && n >= 0 && n <= 1000 ? n : undefined;
  }
  if (kind.type === 'bool') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === 'yes' || raw === '1') return true;
    if (raw === 'false' || raw === 'no' || raw === '0') return false;
    return undefined;
  }
  if (kind.type === 'enum') return typeof raw === 'string' && kind.values.includes(raw) ? (raw as Settings[SettingKey]) : undefined;
  return typeof raw === 'string' ? raw : undefined;
}

function expected(key: SettingKey): string {
  const kind = SCHEMA[key];
  if (kind.type === 'int') return 'expected a whole number from 0 to 1000';
  if (kind.type === 'bool') return 'expected true or false';
  if (kind.type === 'enum') return `expected one of ${kind.values.join(', ')}`;
  return 'expected a string';
}

/**
 * The conf store at configFile(env) (see paths.ts), for writing (`config set/unset`); a
 * broken file is an E_CONFIG naming it. conf (with its schema validator) costs ~0.1 s to
 * import, so it is loaded here only: commands that merely read settings use readStored.
 */
export async function openStore(env: NodeJS.ProcessEnv): Promise<Conf<Partial<Settings>>> {
  const file = configFile(env);
  if (file === null) throw new PatchqError('E_CONFIG', NO_CONFIG_HOME);
  // conf throws a bare SyntaxError on a broken file; check first so the user gets the file name.
  if (existsSync(file)) readStoreFile(file);
  else checkFolder(file);
  // conf's env-paths asks for the home folder as it loads (os.homedir(), which throws where
  // there is none: homeDir); the folder is given to conf (cwd) anyway, so a HOME that names
  // it is enough for the load.
  const noHome = homeDir() === null;
  if (noHome) process.env.HOME = dirname(file);
  let imported;
  try {
    imported = await (await import('./import-conf.js')).importConf();
  } finally {
    if (noHome) delete process.env.HOME;
  }
  const { default: ConfStore } = imported;
  try {
    return new ConfStore<Partial<Settings>>({ projectName: 'patchq', projectSuffix: '', cwd: dirname(file), configName: 'config' });
  } catch (e) {
    throw new PatchqError('E_CONFIG', `cannot read settings: ${(e as Error).message.split('\n')[0]}`, { file });
  }
}

/** Read and validate the stored object: a broken file is one clear error, never a crash. */
function readStoreFile(file: string): Partial<Settings> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    // A folder named config.json, or a file this user may not read (EACCES; root reads it anyway).
    const code = (e as NodeJS.ErrnoException).code;
    throw new PatchqError('E_CONFIG', code === 'EISDIR' ? 'settings file is a directory, where a file was expected' : `cannot read settings file (${code ?? (e as Error).message})`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PatchqError('E_CONFIG', `settings file is not valid JSON (${(e as Error).message.split('\n')[0]}); fix it or run 'patchq config path'`, { file });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new PatchqError('E_CONFIG', 'settings file must hold a JSON object', { file });
  return validateStored(data as Record<string, unknown>, file);
}

function validateStored(data: Record<string, unknown>, file: string): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (!isSettingKey(k)) throw new PatchqError('E_CONFIG', `unknown setting '${k}' (known: ${Object.keys(SCHEMA).join(', ')})`, { file });
    const c = coerce(k, v);
    // Stored JSON must already have the right type: "2" for fuzz is a mistake to point out.
    if (c === undefined || typeof v !== typeof DEFAULTS[k]) throw new PatchqError('E_CONFIG', `setting '${k}' has value ${JSON.stringify(v)}: ${expected(k)}`, { file });
    out[k] = c;
  }
  return out as Partial<Settings>;
}

/**
 * The stored preferences, validated: the same JSON file conf writes (configFile), read
 * directly, so that a push or a refresh does not load conf. No file: nothing stored.
 */
export function readStored(env: NodeJS.ProcessEnv): { file: string | null; values: Partial<Settings> } {
  const file = configFile(env);
  // No home folder: no settings file, nothing stored (`config set` says so: openStore).
  if (file === null) return { file, values: {} };
  if (existsSync(file)) return { file, values: readStoreFile(file) };
  checkFolder(file);
  return { file, values: {} };
}

/**
 * No settings file: fine, unless a file stands where its folder should be (say
 * PATCHQ_CONFIG_DIR names a file), which would hide every setting and fail `config set`
 * with a raw ENOTDIR.
 */
function checkFolder(file: string): void {
  const dir = dirname(file);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    isDir = false; // ENOTDIR: a file further up
  }
  if (!isDir) throw new PatchqError('E_CONFIG', 'the settings folder is a file (or under one), where a folder was expected; check PATCHQ_CONFIG_DIR', { file: dir });
}

/**
 * Resolve every setting with its source. `cliOverrides` are values a command's own options
 * gave (e.g. push --fuzz=0 -> { fuzz: 0 }).
 * @example loadSettings(process.env, { fuzz: 0 }).fuzz  // { value: 0, source: 'option' }
 */
export function loadSettings(env: NodeJS.ProcessEnv, cliOverrides: Partial<Settings> = {}): ResolvedSettings {
  const stored = readStored(env).values;
  const fromEnv = settingsFromEnv(env);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SCHEMA) as SettingKey[]) {
    if (cliOverrides[key] !== undefined) out[key] = { value: cliOverrides[key], source: 'option' };
    else if (fromEnv[key] !== undefined) out[key] = { value: fromEnv[key]!.value, source: 'env', from: fromEnv[key]!.from };
    else if (stored[key] !== undefined) out[key] = { value: stored[key], source: 'settings' };
    else out[key] = { value: DEFAULTS[key], source: 'default' };
  }
  return out as ResolvedSettings;
}

/** Plain values, for code that does not care where they came from. */
export function settingValues(r: ResolvedSettings): Settings {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.value])) as unknown as Settings;
}
