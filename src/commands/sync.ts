/**
 * `patchq sync [--pull "<command>"]`: pop the series, pull upstream, reapply, as one step.
 * If the pull fails and leaves the repository as it was, the series is pushed back; if it
 * leaves something behind (a merge stopped at a conflict, a moved HEAD), the series stays
 * popped and the message says what to finish.
 * With the usual pull, upstream is fetched first, before anything is popped: a fetch that
 * fails (no network, a wrong URL) changes nothing, and where upstream has nothing HEAD lacks
 * and the whole series is applied there is nothing to do: nothing is popped or pushed again
 * (a pop and push would give every patched file a new mtime, and make rebuilds them).
 * Where HEAD has upstream but the series is not all applied, the series is put back
 * without a pull (which would only move ORIG_HEAD, the pre-image of base-less patches).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { PatchqError } from '../engine/errors.js';
import { checkSeriesForRun, readRunState } from '../reapply/index.js';
import { appliedPatches, pop, push, readSeries } from '../stack/index.js';
import { prepareReapply, runReapply } from './reapply.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const DEFAULT_PULL = 'git pull --no-rebase --no-edit upstream HEAD';

const git = (root: string, env: NodeJS.ProcessEnv, ...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8', env });

/**
 * What a pull can change, in a git repository: HEAD, a merge/rebase/cherry-pick it left
 * under way, the tracked files' status. null where there is no git repository to ask.
 */
function repoState(root: string, env: NodeJS.ProcessEnv): { head: string; busy: string | null; status: string } | null {
  const head = git(root, env, 'rev-parse', '--verify', '-q', 'HEAD');
  if (head.status !== 0 && git(root, env, 'rev-parse', '--git-dir').status !== 0) return null;
  let busy: string | null = null;
  for (const [ref, what] of [['MERGE_HEAD', 'a merge'], ['REBASE_HEAD', 'a rebase'], ['CHERRY_PICK_HEAD', 'a cherry-pick'], ['REVERT_HEAD', 'a revert']] as const) {
    if (git(root, env, 'rev-parse', '--verify', '-q', ref).status === 0) {
      busy = what;
      break;
    }
  }
  const status = git(root, env, 'status', '--porcelain=v1', '-z', '--untracked-files=no').stdout ?? '';
  return { head: head.stdout.trim(), busy, status };
}

export const run: RunFn = async (ctx, args) => {
  const t = tree(ctx);
  const pull = opt.str(args, 'pull') ?? ctx.env.PATCHQ_PULL ?? DEFAULT_PULL;
  // Everything that can be refused is refused before anything is popped or pulled.
  const prepared = prepareReapply(ctx, args);
  const pending = readRunState(t);
  if (pending) {
    throw new PatchqError(
      'E_STATE',
      `a reapply run ${pending.stoppedAt ? `stopped at ${pending.stoppedAt}` : `(${pending.runId}) was interrupted`}; finish it with 'patchq reapply --continue' or 'patchq reapply --abort' before syncing; nothing was changed`,
    );
  }
  // What would stop the reapply half-way (a missing or doubled patch, a .rej in the way)
  // is refused now, not after the series was popped and upstream pulled.
  checkSeriesForRun(t);
  // Upstream's commit, when the usual pull's fetch shows HEAD has it already: then there is no pull.
  let alreadyIn: string | null = null;
  if (pull === DEFAULT_PULL) {
    // The usual pull cannot work without a git repository and its `upstream` remote: say so
    // before anything is popped.
    const remote = git(t.root, ctx.env, 'remote', 'get-url', 'upstream');
    if (remote.status !== 0) {
      throw new PatchqError('E_USAGE', `sync pulls with '${DEFAULT_PULL}', and ${t.root} has no git remote named upstream (git remote add upstream URL), or give the pull command with --pull; nothing was changed`);
    }
    // The pull's fetch, done first: what cannot be fetched is refused with nothing changed.
    const fetch = spawnSync('git', ['fetch', '--quiet', 'upstream', 'HEAD'], { cwd: t.root, stdio: ['ignore', ctx.json ? 2 : 'inherit', 'inherit'], env: ctx.env });
    if (fetch.status !== 0) throw new PatchqError('E_APPLY', `git fetch upstream HEAD failed (exit ${fetch.status ?? fetch.signal}); nothing was popped, pulled or changed`);
    const upstream = git(t.root, ctx.env, 'rev-parse', '--verify', '-q', 'FETCH_HEAD').stdout.trim();
    const inHead = upstream !== '' && git(t.root, ctx.env, 'merge-base', '--is-ancestor', upstream, 'HEAD').status === 0;
    const series = readSeries(t).map((e) => e.name);
    const applied = appliedPatches(t);
    if (inHead && applied.length === series.length && applied.every((n, i) => n === series[i])) {
      const what = `upstream ${upstream.slice(0, 12)} is already in HEAD and the series is applied (${applied.length} patch(es))`;
      ctx.out.line(`Already up to date: ${what}; nothing was popped, pulled or pushed`);
      if (prepared.mdPath) writeFileSync(prepared.mdPath, `## patchq sync: already up to date\n\nUpstream \`${upstream.slice(0, 12)}\` is already in HEAD and the series is applied (${applied.length} patch(es)): nothing was popped, pulled or pushed. \`patchq reapply\` puts the series back anew.\n`);
      return { exitCode: 0, data: { upToDate: true, upstream, applied } };
    }
    if (inHead) alreadyIn = upstream;
  }
  const applied = appliedPatches(t);
  if (applied.length) {
    try {
      await pop(t, { target: { all: true }, quiet: true });
    } catch (e) {
      if (!(e instanceof PatchqError) || e.code !== 'E_STATE') throw e;
      // A patch's files changed since its last refresh (pop's 'enforce with -f': sync has no
      // -f). Nothing was pulled; say so, and what to do with the work.
      const left = appliedPatches(t);
      throw new PatchqError(
        'E_STATE',
        `sync starts by popping the ${applied.length} applied patch(es), and pop refused: ${e.message.replace(/ \(refresh it or enforce with -f\)$/, '')}; ${left.length < applied.length ? `${applied.length - left.length} were popped, ${left.length} are still applied, ` : ''}nothing was pulled or changed. If the changes in ${left.at(-1)}'s files are work to keep, 'patchq refresh' it (see them with 'patchq diff -z'); if they are not, 'patchq pop -a -f' drops them. Then sync again.`,
      );
    }
    ctx.out.line(`Popped ${applied.length} patch(es)`);
  }
  if (alreadyIn) {
    // Nothing to pull, but a series to put back (a run aborted, patches popped by hand). No
    // `git pull` then: its "Already up to date" merge would still move ORIG_HEAD to HEAD,
    // and ORIG_HEAD (the commit before the real pull) is the 3-way pre-image of a patch
    // that names no base: without it a conflict becomes a .rej instead of merge markers.
    ctx.out.line(`Nothing to pull: upstream ${alreadyIn.slice(0, 12)} is already in HEAD`);
    return runReapply(ctx, t, args, prepared);
  }
  ctx.out.line(`Pulling: ${pull}`);
  const before = repoState(t.root, ctx.env);
  // PATCHQ_SYNC_PULL: a post-merge hook's `patchq reapply` inside this pull leaves the
  // reapply to us. Under --json the pull's output goes to stderr: stdout is the report.
  const r = spawnSync(pull, { cwd: t.root, shell: true, stdio: ['ignore', ctx.json ? 2 : 'inherit', 'inherit'], env: { ...ctx.env, PATCHQ_SYNC_PULL: '1' } });
  if (r.status !== 0) {
    const why = `the pull failed (exit ${r.status ?? r.signal})`;
    const after = before ? repoState(t.root, ctx.env) : null;
    const left = !before || !after ? null : after.busy ? `${after.busy} is under way` : after.head !== before.head ? 'HEAD moved' : after.status !== before.status ? 'tracked files changed' : null;
    if (left) {
      // Pushing the series onto a half-done pull would mix the patches into its conflicts.
      throw new PatchqError(
        'E_APPLY',
        `${why} and left the repository changed (${left}); the series stays popped${applied.length ? ` (${applied.length} patch(es))` : ''}: finish the pull (resolve, commit) and run 'patchq reapply', or undo it (for example 'git merge --abort') and run 'patchq push -a'`,
      );
    }
    if (applied.length) await push(t, { target: { name: applied[applied.length - 1]! }, quiet: true });
    throw new PatchqError('E_APPLY', `${why}; the tree is as it was${applied.length ? ` with ${applied.length} patch(es) applied again` : ''}`);
  }
  return runReapply(ctx, t, args, prepared);
};
