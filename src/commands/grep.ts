/**
 * grep: quilt's `grep [-h|options] {pattern} [files...]`: grep -H through the regular files
 * of the tree (stack/ops/grep.ts says which), the options handed on as given. As quilt:
 *   - after `--`, a first word that is an option starts grep's options again (so grep's -h
 *     gets through); a second `--` ends them (a pattern that starts with a dash);
 *   - -e / -f give the patterns, else the first word is the pattern;
 *   - without FILE the whole tree, named from its root without quilt's leading `./`;
 *   - grep runs in the POSIX locale (quilt exports LANG=POSIX), on as many files at a time
 *     as fit a command line (xargs), with /dev/null as its input;
 *   - whether a line matched or not, exit 0.
 * Not as quilt: FILE is relative to where patchq runs (quilt reads it from the root, where
 * it changed to); a grep error (a FILE that is not there, a bad pattern) is exit 1 (quilt's
 * pipeline ends in sed: always 0); with no file at all grep is not run (quilt's xargs runs
 * it once, on its own input).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { PatchqError } from '../engine/errors.js';
import { writeOut, stdoutClosed } from '../output/stdio.js';
import { openTree, sourceFiles } from '../stack/index.js';
import { parseArgs } from './args.js';
import { grepOptions } from './registry.js';
import type { OptionSpec, ParsedArgs, RunFn } from './types.js';

const USAGE = 'Usage: patchq grep [options] PATTERN [FILE...] (see patchq grep --help)';

/** After `--`, -h is grep's (no file names), as the second round of quilt's getopt has it. */
const AGAIN: OptionSpec[] = grepOptions.map((o) => (o.name === 'no-filename' ? { ...o, short: 'h' } : o));

/** xargs' line: file arguments per grep run, in bytes (Linux takes 2 MiB with the environment). */
const BATCH_BYTES = 128 * 1024;

/** One option, as grep is to be given it (short where there is one, the value apart). */
function handOn(o: { name: string; value: string | number | boolean }): string[] {
  const spec = grepOptions.find((s) => s.name === o.name);
  if (!spec) return [`--${o.name}`]; // --help after `--`: grep's own help, as under quilt
  if (spec.type === 'boolean') return spec.short ? [`-${spec.short}`] : [`--${spec.name}`];
  if (spec.type === 'optional-string') return [o.value === '' ? `--${spec.name}` : `--${spec.name}=${String(o.value)}`];
  return spec.short ? [`-${spec.short}`, String(o.value)] : [`--${spec.name}=${String(o.value)}`];
}

/** quilt's second round: options after `--` when the first word is one, up to the next `--`. */
function secondRound(words: string[]): ParsedArgs {
  const end = words.indexOf('--');
  // getopt refuses -5 (grep's -NUM is not in quilt's list); the shared parser would take it for a word.
  const num = words.slice(0, end < 0 ? undefined : end).find((w) => /^-\d+$/.test(w));
  if (num !== undefined) throw new PatchqError('E_USAGE', `grep: unknown option '${num}' (see 'patchq grep --help')`);
  return parseArgs('grep', AGAIN, words);
}

export const run: RunFn = async (ctx, args) => {
  let given = args.order ?? [];
  let words = args.positionals;
  if (words[0] !== undefined && words[0].length > 1 && words[0].startsWith('-')) {
    const again = secondRound(words);
    given = [...given, ...(again.order ?? [])];
    words = again.positionals;
  }
  const hasPattern = given.some((o) => o.name === 'regexp' || o.name === 'file');
  if (!hasPattern && words.length === 0) throw new PatchqError('E_USAGE', USAGE);
  const pattern = hasPattern ? [] : [words[0]!];
  const starts = hasPattern ? words : words.slice(1);
  // No tree here is no error for quilt's grep either: it searches from where it runs.
  const t = openTree(ctx.cwd, ctx.env, { create: true });
  const found = sourceFiles(t, starts, ctx.cwd);
  for (const u of found.unreadable) ctx.out.warn(`Cannot read ${u.path}: ${u.reason}`);
  const noNames = given.some((o) => o.name === 'no-filename');
  const head = [...(noNames ? [] : ['-H']), ...given.flatMap(handOn), '--', ...pattern];
  const whole = starts.length === 0;
  let failed = found.unreadable.length > 0;
  for (const batch of batches(found.files)) {
    const status = await grep(head, batch, whole ? t.root : ctx.cwd, { ...ctx.env, LANG: 'POSIX' }, whole);
    if (status === null) break; // the reader went away
    if (status > 1) failed = true;
  }
  return { exitCode: failed ? 1 : 0 };
};

function* batches(files: string[]): Generator<string[]> {
  let batch: string[] = [];
  let size = 0;
  for (const f of files) {
    const bytes = Buffer.byteLength(f) + 1;
    if (batch.length > 0 && size + bytes > BATCH_BYTES) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(f);
    size += bytes;
  }
  if (batch.length > 0) yield batch;
}

/**
 * One grep run; its output goes to stdout as it comes, `./` taken off the start of each
 * line when the whole tree is searched (quilt's sed). Its exit status, or null when stdout
 * was closed (grep is stopped then).
 */
function grep(head: string[], files: string[], cwd: string, env: NodeJS.ProcessEnv, strip: boolean): Promise<number | null> {
  return new Promise((done, fail) => {
    const cannot = (e: Error) => fail(new PatchqError('E_IO', `cannot run grep: ${e.message}`));
    let child: ChildProcessByStdio<null, Readable, null>;
    try {
      child = spawn('grep', [...head, ...files], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    } catch (e) {
      return cannot(e as Error); // E2BIG: a pattern longer than a command line
    }
    let lineStart = true;
    let held: Buffer = Buffer.alloc(0);
    let gone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (gone) return;
      let data: Buffer = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      held = Buffer.alloc(0);
      if (strip) [data, held, lineStart] = stripDotSlash(data, lineStart);
      writeOut(data);
      if (stdoutClosed()) {
        gone = true;
        child.kill();
      }
    });
    child.on('error', cannot);
    child.on('close', (code) => {
      if (held.length > 0 && !gone) writeOut(held);
      done(gone ? null : (code ?? 2));
    });
  });
}

/**
 * Takes `./` off the start of every line of `data`. Returns what to write, what to hold
 * back for the next chunk (a line start cut after its `.`), and whether the next chunk
 * starts a line.
 */
export function stripDotSlash(data: Buffer, lineStart: boolean): [Buffer, Buffer, boolean] {
  const parts: Buffer[] = [];
  let from = 0;
  let at = lineStart ? 0 : data.indexOf(10) + 1;
  if (!lineStart && at === 0) return [data, Buffer.alloc(0), false];
  while (at < data.length) {
    if (data[at] === 0x2e) {
      if (at + 1 === data.length) {
        parts.push(data.subarray(from, at));
        return [Buffer.concat(parts), data.subarray(at), true];
      }
      if (data[at + 1] === 0x2f) {
        parts.push(data.subarray(from, at));
        from = at + 2;
      }
    }
    const nl = data.indexOf(10, at);
    if (nl < 0) {
      parts.push(data.subarray(from));
      return [Buffer.concat(parts), Buffer.alloc(0), false];
    }
    at = nl + 1;
  }
  parts.push(data.subarray(from));
  return [Buffer.concat(parts), Buffer.alloc(0), true];
}
