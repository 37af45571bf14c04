/**
 * `patchq config list|get|set|unset|path`: the user's preferences (src/settings).
 * `list` shows each value and where it came from: option, env (which variable), settings, default.
 */
import { PatchqError } from '../engine/errors.js';
import { SCHEMA, isSettingKey, loadSettings, openStore, parseValue, readStored, type SettingKey } from '../settings/settings.js';
import { NO_CONFIG_HOME, configFile } from '../settings/paths.js';
import type { RunFn } from './types.js';

function keyArg(raw: string | undefined, verb: string): SettingKey {
  if (raw === undefined) throw new PatchqError('E_USAGE', `config ${verb}: missing KEY (one of ${Object.keys(SCHEMA).join(', ')})`);
  if (!isSettingKey(raw)) throw new PatchqError('E_USAGE', `config ${verb}: unknown key '${raw}' (one of ${Object.keys(SCHEMA).join(', ')})`);
  return raw;
}

/** What each action takes after it (more is a usage error). */
const ARGS: Record<string, string> = { list: '', get: 'KEY', set: 'KEY VALUE', unset: 'KEY', path: '' };

export const run: RunFn = async (ctx, args) => {
  const [verb = 'list', key, value] = args.positionals;
  const takes = Object.hasOwn(ARGS, verb) ? ARGS[verb]! : undefined;
  if (takes !== undefined && args.positionals.length - 1 > (takes === '' ? 0 : takes.split(' ').length)) {
    throw new PatchqError('E_USAGE', `Usage: patchq config ${verb} ${takes}`.trimEnd());
  }
  switch (verb) {
    case 'list': {
      const r = loadSettings(ctx.env);
      const rows = (Object.keys(SCHEMA) as SettingKey[]).map((k) => ({ key: k, value: r[k].value, source: r[k].source, ...(r[k].from ? { from: r[k].from } : {}) }));
      for (const row of rows) ctx.out.line(`${row.key} = ${String(row.value)}  (${row.source}${row.from ? ` ${row.from}` : ''})`);
      return { data: rows };
    }
    case 'get': {
      const k = keyArg(key, 'get');
      const r = loadSettings(ctx.env)[k];
      ctx.out.line(String(r.value));
      return { data: { key: k, value: r.value, source: r.source, ...(r.from ? { from: r.from } : {}) } };
    }
    case 'set': {
      const k = keyArg(key, 'set');
      if (value === undefined) throw new PatchqError('E_USAGE', `config set ${k}: missing VALUE`);
      const parsed = parseValue(k, value);
      readStored(ctx.env); // refuse to write over a broken file: the user should see and fix it
      const store = await openStore(ctx.env);
      store.set(k, parsed);
      return { data: { key: k, value: parsed } };
    }
    case 'unset': {
      const k = keyArg(key, 'unset');
      readStored(ctx.env);
      const store = await openStore(ctx.env);
      if (!store.has(k)) throw new PatchqError('E_NOTHING', `${k} is not set`);
      store.delete(k);
      return { data: { key: k } };
    }
    case 'path': {
      // Where conf keeps it (openStore opens it there), without opening it: the errors about
      // a broken file point here.
      const file = configFile(ctx.env);
      if (file === null) throw new PatchqError('E_CONFIG', NO_CONFIG_HOME);
      ctx.out.line(file);
      return { data: { path: file } };
    }
    default:
      throw new PatchqError('E_USAGE', `config: unknown action '${verb}' (list, get, set, unset, path)`);
  }
};
