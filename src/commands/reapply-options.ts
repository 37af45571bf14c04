/**
 * What `patchq reapply` takes from the settings when no option says otherwise, apart from
 * the command (which loads the reapply layer): the TUI's R and c take it from here without
 * loading that layer before they run.
 */
import type { ReapplyOptions } from '../reapply/index.js';
import { loadSettings } from '../settings/settings.js';
import { plainRefreshOptions } from './refresh.js';

/** What a reapply without options takes from the settings (the TUI's R and c): as `patchq reapply`. */
export function plainReapplyOptions(env: NodeJS.ProcessEnv): Pick<ReapplyOptions, 'fuzz' | 'format'> {
  return { fuzz: loadSettings(env).fuzz.value, format: refreshFormatFor(env) };
}

/**
 * The format a plain `patchq refresh` writes (settings, QUILT_REFRESH_ARGS, QUILT_DIFF_OPTS),
 * for the patches the run refreshes; not its --backup (the run keeps the old patches itself).
 */
export function refreshFormatFor(env: NodeJS.ProcessEnv): ReapplyOptions['format'] {
  const { context, contextFormat, style, noTimestamps, noIndex, prefix, showFunction } = plainRefreshOptions(env);
  return { context, contextFormat, style, noTimestamps, noIndex, prefix, showFunction };
}
