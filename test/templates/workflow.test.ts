/**
 * templates/github-workflow-sync.yml, run step by step as GitHub would run it (bash -e, the
 * job's and the step's env, `if:` conditions on step outputs and success()), on real git
 * repositories: the fork's origin, upstream, and a checkout; patchq is the built binary and
 * `gh` a stub that records the pull request.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, git, numbered, tempDir, write } from '../helpers/tree.js';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}
const workflow = parse(readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'github-workflow-sync.yml'), 'utf8')) as {
  jobs: { sync: { env: Record<string, string>; steps: Step[] } };
};

/** The few expressions a workflow like this uses: steps.ID.outputs.KEY == 'v', steps.ID.outcome == 'v', success(), always(), &&. */
function condition(expr: string, outputs: Record<string, Record<string, string>>, ok: boolean): boolean {
  return expr.split('&&').every((part) => {
    const p = part.trim();
    if (p === 'success()') return ok;
    if (p === 'always()') return true;
    const m = /^steps\.(\w+)\.(outputs\.(\w+)|outcome) == '([^']*)'$/.exec(p);
    if (!m) throw new Error(`workflow condition not understood by the test: ${p}`);
    return outputs[m[1]!]?.[m[3] ?? '.outcome'] === m[4];
  });
}

/** Run the job in `checkout`; returns what ran, whether it succeeded, and the recorded `gh` calls. */
function runJob(checkout: string, upstream: string): { ran: string[]; ok: boolean; gh: string; summary: string } {
  const bin = tempDir('patchq-wf-bin-');
  write(bin, 'patchq', `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, 0o755);
  write(bin, 'gh', `#!/bin/sh\necho "gh $*" >> "${join(bin, 'gh.log')}"\n`, 0o755);
  const outputs: Record<string, Record<string, string>> = {};
  const ran: string[] = [];
  let ok = true;
  const summary = join(bin, 'summary.md');
  for (const step of workflow.jobs.sync.steps) {
    // The install step (clone, npm ci, build, npm install --global) is stood in for by the
    // built binary on PATH above.
    if (step.uses || !step.run || step.name === 'Install patchq') continue;
    if (!condition(step.if ?? 'success()', outputs, ok)) continue;
    const out = join(bin, `out-${ran.length}`);
    write(bin, `out-${ran.length}`, '');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...workflow.jobs.sync.env,
      ...step.env,
      UPSTREAM_URL: upstream,
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: summary,
      PATH: `${bin}:${process.env.PATH}`,
      NO_COLOR: '1',
      GIT_AUTHOR_DATE: '2026-11-30T03:17:00Z',
      GIT_COMMITTER_DATE: '2026-11-30T03:17:00Z',
    };
    const r = spawnSync('bash', ['-e', '-c', step.run], { cwd: checkout, env, encoding: 'utf8' });
    ran.push(`${step.name ?? step.run.split('\n')[0]}: ${r.status}`);
    if (r.status !== 0 && !step['continue-on-error']) ok = false;
    if (step.id) {
      outputs[step.id] = Object.fromEntries(readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => l.split('=', 2) as [string, string]));
      outputs[step.id]!['.outcome'] = r.status === 0 ? 'success' : 'failure';
    }
  }
  const gh = existsSync(join(bin, 'gh.log')) ? readFileSync(join(bin, 'gh.log'), 'utf8') : '';
  return { ran, ok, gh, summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '' };
}

/** upstream (a.txt), the fork's origin (upstream v1 + the series: p.patch changes a.txt line 10), a checkout of origin. */
function repos(): { upstream: string; origin: string; checkout: () => string } {
  const base = tempDir('patchq-wf-');
  const upstream = join(base, 'upstream');
  git(base, 'init', '-q', '-b', 'main', 'upstream');
  write(upstream, 'a.txt', numbered(30));
  write(upstream, 'b.txt', numbered(10, 'b'));
  git(upstream, 'add', '-A');
  git(upstream, 'commit', '-qm', 'v1');
  git(base, 'clone', '-q', '--bare', 'upstream', 'origin.git');
  const origin = join(base, 'origin.git');
  const seed = join(base, 'seed');
  git(base, 'clone', '-q', 'origin.git', 'seed');
  write(seed, 'patches/series', 'p.patch\n');
  write(seed, 'patches/p.patch', 'The fork change.\n\n--- a/a.txt\n+++ b/a.txt\n@@ -9,3 +9,3 @@\n l9\n-l10\n+FORK\n l11\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'the series');
  git(seed, 'push', '-q', 'origin', 'main');
  let n = 0;
  const checkout = () => {
    const dir = `checkout-${n++}`;
    git(base, 'clone', '-q', 'origin.git', dir);
    return join(base, dir);
  };
  return { upstream, origin, checkout };
}

describe('the GitHub Actions sync workflow', () => {
  it('merges new upstream commits and opens a pull request even when every patch comes back exactly; the next night, with nothing new, does nothing', () => {
    const { upstream, origin, checkout } = repos();
    // Upstream changes a file no patch touches: the series still applies exactly.
    write(upstream, 'b.txt', numbered(10, 'b') + 'upstream v2\n');
    git(upstream, 'commit', '-qam', 'v2');
    const first = runJob(checkout(), upstream);
    expect(first.ok, first.ran.join('\n')).toBe(true);
    expect(first.ran.map((r) => r.split(':')[0])).toContain('Sync upstream and reapply');
    expect(first.gh).toBe('gh pr create --fill --body-file patchq-report.md\n');
    const branch = git(origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/patchq/').trim();
    expect(branch).toMatch(/^patchq\/sync-\d{8}$/);
    expect(git(origin, 'show', `${branch}:b.txt`)).toContain('upstream v2\n');
    expect(git(origin, 'show', `${branch}:a.txt`)).toBe(numbered(30)); // the series is committed unapplied
    expect(first.summary).toMatch(/## patchq reapply: all patches are back/);
    // The pull request is merged; the next night upstream has nothing new.
    git(origin, 'update-ref', 'refs/heads/main', branch);
    git(origin, 'branch', '-D', branch);
    const second = runJob(checkout(), upstream);
    expect(second.ok, second.ran.join('\n')).toBe(true);
    expect(second.ran.map((r) => r.split(':')[0])).not.toContain('Sync upstream and reapply');
    expect(second.gh).toBe('');
    expect(second.summary).toBe('Upstream has nothing new.\n');
  });

  it('with drift: the pull request carries the refreshed patch; a patch that needs a person fails the job, no pull request', () => {
    const { upstream, origin, checkout } = repos();
    write(upstream, 'a.txt', 'new 1\nnew 2\n' + numbered(30));
    git(upstream, 'commit', '-qam', 'v2: two lines on top');
    const drift = runJob(checkout(), upstream);
    expect(drift.ok, drift.ran.join('\n')).toBe(true);
    const branch = git(origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/patchq/').trim();
    expect(git(origin, 'show', `${branch}:patches/p.patch`)).toMatch(/^Patchq-Base: [0-9a-f]{40}\n[\s\S]*^@@ -9,7 \+9,7 @@\n l7\n/m);
    git(origin, 'update-ref', 'refs/heads/main', branch);
    git(origin, 'branch', '-D', branch);
    write(upstream, 'a.txt', 'new 1\nnew 2\n' + numbered(30).replace('l10\n', 'UPSTREAM\n'));
    git(upstream, 'commit', '-qam', 'v3: the line the patch changes');
    const stop = runJob(checkout(), upstream);
    expect(stop.ok).toBe(false);
    expect(stop.gh).toBe('');
    expect(stop.summary).toMatch(/## patchq reapply: stopped at `p\.patch`/);
  });
});
