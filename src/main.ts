/**
 * The binary's entry (dist/bin/cli.cjs). Its first lines, put there by the build
 * (rolldown.config.mjs), are a POSIX sh launcher: run as `patchq`, /bin/sh starts Node on
 * this same file with NODE_EXTRA_CA_CERTS emptied, which Node 20 otherwise reads and parses
 * before any JavaScript runs (~40 ms on a machine whose CA bundle it names: most of a
 * command's start). patchq opens no TLS connection; the programs it runs (editor, pager,
 * template commands, git) get the variable back here, as it was.
 * Then V8's compile cache (compile-cache.ts), then the CLI itself, loaded after it so that
 * its chunks are compiled through it.
 */
import { startCompileCache } from './compile-cache.js';

const ca = process.env.PATCHQ_EXTRA_CA_CERTS;
if (ca !== undefined) {
  // "=value": it was set (to value); "": it was not set.
  delete process.env.PATCHQ_EXTRA_CA_CERTS;
  if (ca.startsWith('=')) process.env.NODE_EXTRA_CA_CERTS = ca.slice(1);
  else delete process.env.NODE_EXTRA_CA_CERTS;
}
try {
  startCompileCache(process.argv[2]);
} catch {
  // Best effort (compile-cache.ts): a cache that cannot be set up (a relative
  // PATCHQ_CACHE_DIR in a deleted directory) costs only the time.
}
void import('./cli.js');
