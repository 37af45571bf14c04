/**
 * The BUILT binary in a real terminal: tmux at 100x30 on a temp tree, keys sent with
 * send-keys, the screen read with capture-pane (bounded polling, no fixed sleeps), the
 * stack checked afterwards with `patchq applied`. Needs `npx tsc -p .` (npm test builds).
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, patchq, read } from '../helpers/tree.js';
import { push, openTree } from '../../src/stack/index.js';
import { buildDemo } from '../../src/demo/build.js';
import { git, tempDir } from '../helpers/tree.js';
import { readFileSync } from 'node:fs';
import { makeTree } from './fixture.js';

let session: string | null = null;
afterEach(() => {
  if (session) spawnSync('tmux', ['kill-session', '-t', session]);
  session = null;
});

// A pane's processes get the tmux server's environment, not this one's: hand them the
// run's TMPDIR (test/global-tmp.ts) so what they leave is seen too.
const tmux = (...args: string[]) => spawnSync('tmux', args[0] === 'new-session' ? ['new-session', '-e', `TMPDIR=${tmpdir()}`, ...args.slice(1)] : args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session!).stdout;
/** The screen with its colours and attributes as escape sequences. */
const painted = () => tmux('capture-pane', '-e', '-p', '-t', session!).stdout;
const SGR = /\x1b\[[0-9;]*m/;

async function until(pred: (s: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + 15_000;
  for (;;) {
    const s = screen();
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The TUI in tmux on `root` with `editor` as $EDITOR, input live, on the stack screen. */
async function openWithEditor(root: string, editor: string): Promise<void> {
  const cmd = `env NO_COLOR=1 EDITOR=${editor} ${process.execPath} ${CLI} tui; echo EXIT=$?; sleep 30`;
  expect(tmux('new-session', '-d', '-s', session!, '-x', '100', '-y', '30', '-c', root, cmd).status).toBe(0);
  await until((s) => s.includes('q quit'), 'first frame');
  tmux('send-keys', '-t', session!, '?');
  await until((s) => s.includes('patchq: keys'), 'input live');
  tmux('send-keys', '-t', session!, 'h');
  await until((s) => s.includes('enter diff'), 'stack');
}

describe('tui end to end in tmux', () => {
  it('patchq demo on a terminal opens on its reapply report (esc: the stack); q leaves the report printed before it', async () => {
    const dir = join(tempDir('patchq-tui-demo-'), 'fork');
    session = `patchq-tui-demo-${process.pid}-${Date.now()}`;
    const cmd = `env CI=1 NO_COLOR=1 ${process.execPath} ${CLI} demo --dir ${dir}; echo EXIT=$?; sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', cmd).status).toBe(0);
    const first = await until((s) => s.includes('Reapply: every patch is back'), 'the report screen');
    expect(first).toMatch(/01-pooling\.patch +regenerated from its template/);
    expect(first).toMatch(/04-user-typo\.patch +dropped \(already upstream\)/);
    expect(first).toContain('esc back');
    tmux('send-keys', '-t', session, 'Escape');
    const stack = await until((s) => s.includes('enter diff'), 'the stack');
    expect(stack).toMatch(/3 patches, 3 applied, top: 03-settings-default\.patch/);
    tmux('send-keys', '-t', session, 'q');
    const after = await until((s) => s.includes('EXIT='), 'exit');
    expect(after).toMatch(/All 3 patch\(es\) are back[\s\S]*Opening the TUI on it \(q quits\)\.\.\.\nEXIT=0/);
  });

  it('pushes and pops with keys, quits with q, and the stack says so', async () => {
    const { root, names } = makeTree(5);
    session = `patchq-tui-${process.pid}-${Date.now()}`;
    // CI=1 as CI machines set it: ink alone would then draw nothing until exit.
    const cmd = `echo BEFORE-TUI; env CI=1 NO_COLOR=1 LANG=C.UTF-8 ${process.execPath} ${CLI} tui; echo EXIT=$? TTY=$(stty -a | grep -oE -- '-?icanon' | head -1); sleep 30`;
    const r = tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', root, cmd);
    expect(r.status).toBe(0);
    await until((s) => s.includes('5 patches, 0 applied') && s.includes('q quit'), 'first frame');
    // Raw mode is switched on just after the first frame: a `?` round trip proves keys arrive.
    tmux('send-keys', '-t', session, '?');
    await until((s) => s.includes('patchq: keys'), 'help (input live)');
    tmux('send-keys', '-t', session, 'h');
    await until((s) => s.includes('enter diff'), 'stack');
    tmux('send-keys', '-t', session, 'j', 'j', 'p');
    await until((s) => s.includes(`Pushed 3 patch(es); now at ${names[2]}`), 'push report');
    tmux('send-keys', '-t', session, 'h');
    await until((s) => s.includes('enter diff') && s.includes('3 applied'), 'stack');
    tmux('send-keys', '-t', session, 'k', 'o');
    await until((s) => s.includes('Popped 1 patch(es)'), 'pop report');
    tmux('send-keys', '-t', session, 'q');
    const end = await until((s) => s.includes('EXIT='), 'exit');
    expect(end).toContain('EXIT=0');
    // q leaves the terminal as it found it: the alternate screen is gone, the shell's line is back.
    expect(end).toContain('BEFORE-TUI');
    expect(end).not.toContain('q quit');
    // ...and the terminal is back in cooked mode (line editing, echo) for the shell.
    expect(end).toContain('TTY=icanon');
    const applied = patchq(root, ['applied']);
    expect(applied.stdout.trim().split('\n')).toEqual(names.slice(0, 2));
  });

  it('killed (SIGTERM) the app gives the terminal back as q does: alternate screen left, cooked mode', async () => {
    const { root } = makeTree(3);
    session = `patchq-tui-term-${process.pid}-${Date.now()}`;
    const cmd = `echo BEFORE-TUI; env NO_COLOR=1 ${process.execPath} ${CLI} tui; echo EXIT=$? TTY=$(stty -a | grep -oE -- '-?icanon' | head -1); sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', root, cmd).status).toBe(0);
    tmux('send-keys', '-t', session, '?');
    await until((s) => s.includes('patchq: keys'), 'input live');
    const shell = tmux('display', '-p', '-t', session, '#{pane_pid}').stdout.trim();
    const node = spawnSync('pgrep', ['-P', shell, '-f', CLI], { encoding: 'utf8' }).stdout.trim();
    expect(node).toMatch(/^\d+$/);
    process.kill(Number(node), 'SIGTERM');
    const end = await until((s) => s.includes('EXIT='), 'exit');
    expect(end).toContain('EXIT=143 TTY=icanon');
    expect(end).toContain('BEFORE-TUI');
    expect(end).not.toContain('patchq: keys');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').stdout.trim()).toBe('0');
  });

  it('e suspends the app for $EDITOR on the selected patch and comes back to it', async () => {
    const { root, names } = makeTree(3);
    session = `patchq-tui-e-${process.pid}-${Date.now()}`;
    // A real program as the editor: appends a line to the file it is given.
    const editor = join(root, 'fake-editor.sh');
    writeFileSync(editor, '#!/bin/sh\necho edited-by-editor >> "$1"\n', { mode: 0o755 });
    await openWithEditor(root, editor);
    tmux('send-keys', '-t', session, 'j', 'e');
    await until(() => read(root, `patches/${names[1]}`).includes('edited-by-editor'), 'editor ran');
    // Back in the app, the same patch still selected.
    await until((s) => s.includes(`›  ${names[1]}`) && s.includes('q quit'), 'app again');
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
    expect(read(root, `patches/${names[0]}`)).not.toContain('edited-by-editor');
  });

  it('e on a refused hunk opens the editor at its line: "+N FILE" for an editor named vim, the file alone for another', async () => {
    const { root } = makeTree(1, { broken: true });
    const patch = join(root, 'patches', 'zz-broken.patch');
    const at = read(root, 'patches/zz-broken.patch').split('\n').findIndex((l) => l.startsWith('@@')) + 1;
    expect(at).toBeGreaterThan(1);
    // One recording program under two names: its arguments, one a line.
    const bin = join(root, '.bin');
    mkdirSync(bin);
    for (const n of ['vim', 'my-editor']) writeFileSync(join(bin, n), `#!/bin/sh\nprintf '%s\\n' "$@" > ${join(root, 'argv')}\n`, { mode: 0o755 });
    for (const [editor, want] of [[join(bin, 'vim'), [`+${at}`, patch]], [join(bin, 'my-editor'), [patch]]] as const) {
      session = `patchq-tui-eline-${process.pid}-${Date.now()}`;
      rmSync(join(root, 'argv'), { force: true });
      await openWithEditor(root, editor);
      tmux('send-keys', '-t', session, 'j', 'p');
      await until((s) => s.includes('does not apply'), 'conflict view');
      tmux('send-keys', '-t', session, 'e');
      await until(() => existsSync(join(root, 'argv')), 'editor ran');
      expect([editor, read(root, 'argv').trimEnd().split('\n')]).toEqual([editor, want]);
      await until((s) => s.includes('q quit') && s.includes('zz-broken'), 'app again');
      tmux('send-keys', '-t', session, 'q');
      expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
      tmux('kill-session', '-t', session);
    }
  });

  it('back from e on a refused push the patch is still FAILED if the editor changed nothing; an edit clears the mark', async () => {
    const { root } = makeTree(1, { broken: true });
    const failedRow = (s: string) => /zz-broken\.patch\s+FAILED/.test(s);
    // An editor that changes nothing, then one that changes the patch. Each clears the
    // screen and says it ran, waits until tmux shows that (its output reaches the screen
    // after it, through the pty: a look at the screen right after the file appeared could
    // still find the app's frame from before the editor, FAILED and all), then leaves a
    // file: after that, a footer is the app again.
    const ran = join(root, 'ran');
    const editor = (change: boolean) => {
      const path = join(root, change ? 'append.sh' : 'look.sh');
      const shown = `i=0; while [ $i -lt 200 ] && ! tmux capture-pane -p -t "$TMUX_PANE" | grep -q EDITOR-WAS-HERE; do sleep 0.05; i=$((i+1)); done\n`;
      writeFileSync(path, `#!/bin/sh\nprintf '\\033[2J\\033[HEDITOR-WAS-HERE\\n'\n${change ? 'echo "# a note" >> "$1"\n' : ''}${shown}touch ${ran}\n`, { mode: 0o755 });
      return path;
    };
    for (const [ed, stillFailed] of [[editor(false), true], [editor(true), false]] as const) {
      session = `patchq-tui-efail-${process.pid}-${Date.now()}`;
      rmSync(ran, { force: true });
      await openWithEditor(root, ed);
      tmux('send-keys', '-t', session, 'j', 'p');
      await until((s) => s.includes('does not apply'), 'conflict view');
      tmux('send-keys', '-t', session, 's');
      await until((s) => failedRow(s) && s.includes('enter diff'), 'the stack, marked');
      tmux('send-keys', '-t', session, 'e');
      const back = await until((s) => existsSync(ran) && !s.includes('EDITOR-WAS-HERE') && s.includes('enter diff'), 'app again');
      expect([ed, failedRow(back)]).toEqual([ed, stillFailed]);
      tmux('send-keys', '-t', session, 'q');
      expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
      tmux('kill-session', '-t', session);
    }
    expect(read(root, 'patches/zz-broken.patch')).toMatch(/# a note\n$/);
  });

  it('e with an editor that is not there says so on the status line (the shell said it under the app)', async () => {
    const { root } = makeTree(2);
    session = `patchq-tui-enone-${process.pid}-${Date.now()}`;
    await openWithEditor(root, join(root, 'no-such-editor'));
    tmux('send-keys', '-t', session, 'e');
    const back = await until((s) => s.includes('q quit') && s.includes('exited with 127'), 'the failure said');
    expect(back.replace(/\s+/g, ' ')).toContain(`The editor '${join(root, 'no-such-editor')}' exited with 127 (not found: set VISUAL or EDITOR, or patchq config set editor)`);
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
  });

  it('e runs the editor setting when neither VISUAL nor EDITOR is set (patchq config set editor)', async () => {
    const { root, names } = makeTree(2);
    session = `patchq-tui-ecfg-${process.pid}-${Date.now()}`;
    const editor = join(root, 'fake-editor.sh');
    writeFileSync(editor, '#!/bin/sh\necho edited-by-setting >> "$1"\n', { mode: 0o755 });
    const cfg = { PATCHQ_CONFIG_DIR: join(root, '.cfg') };
    expect(patchq(root, ['config', 'set', 'editor', editor], cfg).code).toBe(0);
    const cmd = `env -u VISUAL -u EDITOR NO_COLOR=1 PATCHQ_CONFIG_DIR=${cfg.PATCHQ_CONFIG_DIR} ${process.execPath} ${CLI} tui; echo EXIT=$?; sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', root, cmd).status).toBe(0);
    await until((s) => s.includes('q quit'), 'first frame');
    tmux('send-keys', '-t', session, '?');
    await until((s) => s.includes('patchq: keys'), 'input live');
    tmux('send-keys', '-t', session, 'h');
    await until((s) => s.includes('enter diff'), 'stack');
    tmux('send-keys', '-t', session, 'e');
    await until(() => read(root, `patches/${names[0]}`).includes('edited-by-setting'), 'the configured editor ran');
    await until((s) => s.includes('q quit'), 'app again');
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
  });

  it('e on a compressed patch: the editor gets the plain text, and the edit is written back compressed', async () => {
    const { root, names } = makeTree(2);
    // The second patch kept gzipped, as quilt keeps .gz patches.
    const gz = `${names[1]}.gz`;
    writeFileSync(join(root, 'patches', gz), gzipSync(readFileSync(join(root, 'patches', names[1]!))));
    rmSync(join(root, 'patches', names[1]!));
    writeFileSync(join(root, 'patches/series'), `${names[0]}\n${gz}\n`);
    session = `patchq-tui-egz-${process.pid}-${Date.now()}`;
    // The editor records what it was given (the file's first bytes) and adds a line.
    const editor = join(root, 'fake-editor.sh');
    writeFileSync(editor, `#!/bin/sh\n{ head -c 6 "$1"; echo; echo "$1"; } > ${join(root, 'seen')}\necho '# edited-by-editor' >> "$1"\n`, { mode: 0o755 });
    await openWithEditor(root, editor);
    tmux('send-keys', '-t', session, 'j', 'e');
    await until((s) => s.includes(`${gz}: written back (gzip)`), 'written back');
    const seen = read(root, 'seen').split('\n');
    expect(seen[0]).toBe('Index:'); // the text, not gzip's bytes
    expect(seen[1]).toMatch(new RegExp(`/${names[1]!.replace(/\./g, '\\.')}$`)); // named as a diff
    const bytes = readFileSync(join(root, 'patches', gz));
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('\x1f\x8b');
    expect(gunzipSync(bytes).toString('latin1')).toMatch(/\n# edited-by-editor\n$/);
    expect(existsSync(join(root, 'patches', names[1]!))).toBe(false);
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
    // And it still pushes.
    expect(patchq(root, ['push', '-a']).code).toBe(0);
  });

  it("the terminal's End and Home keys, and G and g, jump to the last and the first patch", async () => {
    const { root, names } = makeTree(40);
    session = `patchq-tui-ends-${process.pid}-${Date.now()}`;
    await openWithEditor(root, 'true');
    const selected = (s: string) => s.split('\n').find((l) => l.includes('›')) ?? '';
    for (const [key, name] of [['End', names[39]], ['Home', names[0]], ['G', names[39]], ['g', names[0]]] as const) {
      tmux('send-keys', '-t', session, key);
      await until((s) => selected(s).includes(name!), `${key}: ${name}`);
    }
    // The selection is where it says: p pushes to it.
    tmux('send-keys', '-t', session, 'End', 'p');
    await until((s) => s.includes(`Pushed 40 patch(es); now at ${names[39]}`), 'push to the last');
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
  });

  it('Escape then a key sent together is Escape, then that key (not alt+key): esc j from a diff, esc q from the filter prompt', async () => {
    const { root, names } = makeTree(5);
    session = `patchq-tui-esc-${process.pid}-${Date.now()}`;
    await openWithEditor(root, 'true');
    const selected = (s: string) => s.split('\n').find((l) => l.includes('›')) ?? '';
    tmux('send-keys', '-t', session, 'Enter');
    await until((s) => s.includes(`${names[0]}  (unapplied)`), 'diff');
    // One send-keys: tmux writes both bytes at once, as a fast typist or a busy app gets them.
    tmux('send-keys', '-t', session, 'Escape', 'j');
    await until((s) => s.includes('enter diff') && selected(s).includes(names[1]!), 'back on the stack, moved down');
    tmux('send-keys', '-t', session, '/', 'f', '3');
    await until((s) => s.includes('filter: f3_'), 'filter prompt');
    tmux('send-keys', '-t', session, 'Escape', 'q');
    const end = await until((s) => s.includes('EXIT='), 'quit');
    expect(end).toContain('EXIT=0');
  });

  it('ctrl-z suspends to the shell with the terminal sane; fg brings the app back, painted and reading keys', async () => {
    const { root, names } = makeTree(4);
    session = `patchq-tui-tstp-${process.pid}-${Date.now()}`;
    // An interactive shell with job control: ^Z stops the job, fg resumes it.
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', root, 'env -i PATH=/usr/bin:/bin TERM=screen HOME=/tmp PS1="SHELL> " bash --norc --noprofile -i').status).toBe(0);
    await until((s) => s.includes('SHELL>'), 'shell');
    // The app alone on its command line: in a list (app; echo) bash goes on to the echo when the app stops.
    tmux('send-keys', '-t', session, `NO_COLOR=1 ${process.execPath} ${CLI} tui`, 'Enter');
    await until((s) => s.includes('q quit'), 'first frame');
    tmux('send-keys', '-t', session, '?');
    await until((s) => s.includes('patchq: keys'), 'input live');
    tmux('send-keys', '-t', session, 'h', 'j');
    await until((s) => s.includes('enter diff') && (s.split('\n').find((l) => l.includes('›')) ?? '').includes(names[1]!), 'stack, on the second');
    tmux('send-keys', '-t', session, 'C-z');
    // The shell's screen: the job stopped, the alternate screen left, the cursor shown, cooked mode.
    const stopped = await until((s) => /Stopped/.test(s) && /^SHELL>\s*$/m.test(s), 'stopped, at the prompt');
    expect(stopped).not.toContain('q quit');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on} #{cursor_flag}').stdout.trim()).toBe('0 1');
    tmux('send-keys', '-t', session, 'stty -a | grep -oE -- "-?icanon|-?echo " | head -2 | tr "\\n" " "; echo', 'Enter');
    const tty = await until((s) => /icanon echo/.test(s), 'stty');
    expect(tty).not.toMatch(/-icanon|-echo /);
    tmux('send-keys', '-t', session, 'fg', 'Enter');
    // Back: the app painted again on the alternate screen, the selection where it was, keys read.
    const back = await until((s) => s.includes('q quit') && s.includes(names[3]!), 'app again');
    expect(back.split('\n').find((l) => l.includes('›'))).toContain(names[1]);
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').stdout.trim()).toBe('1');
    tmux('send-keys', '-t', session, 'p');
    await until((s) => s.includes(`Pushed 2 patch(es); now at ${names[1]}`), 'p works');
    // SIGTSTP from elsewhere (kill -TSTP, as a ^Z outside raw mode sends it): the same.
    const shell = tmux('display', '-p', '-t', session, '#{pane_pid}').stdout.trim();
    const node = spawnSync('pgrep', ['-P', shell, '-f', CLI], { encoding: 'utf8' }).stdout.trim();
    expect(node).toMatch(/^\d+$/);
    process.kill(Number(node), 'SIGTSTP');
    await until((s) => (s.match(/Stopped/g) ?? []).length === 2 && /^SHELL>\s*$/m.test(s), 'stopped again');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on} #{cursor_flag}').stdout.trim()).toBe('0 1');
    tmux('send-keys', '-t', session, 'fg', 'Enter');
    await until((s) => s.includes('q quit') && s.includes(`Pushed 2 patch(es)`), 'app again');
    tmux('send-keys', '-t', session, 'q');
    await until((s) => /^SHELL>\s*$/m.test(s) && !s.includes('q quit'), 'the shell again');
    tmux('send-keys', '-t', session, `echo EXIT=$? TTY=$(stty -a | grep -oE -- '-?icanon' | head -1)`, 'Enter');
    const end = await until((s) => /^EXIT=/m.test(s), 'exit');
    expect(end).toMatch(/^EXIT=0 TTY=icanon$/m);
    expect(patchq(root, ['applied']).stdout.trim().split('\n')).toEqual(names.slice(0, 2));
  });

  it('ctrl-z with no shell to come back to (no job control: the kernel ignores SIGTSTP there) leaves the app running, keys read', async () => {
    const { root, names } = makeTree(3);
    session = `patchq-tui-tstp0-${process.pid}-${Date.now()}`;
    await openWithEditor(root, 'true');
    tmux('send-keys', '-t', session, 'C-z');
    tmux('send-keys', '-t', session, 'j');
    const back = await until((s) => s.includes('enter diff') && (s.split('\n').find((l) => l.includes('›')) ?? '').includes(names[1]!), 'moved after ^Z');
    expect(back).not.toContain('is not a key');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').stdout.trim()).toBe('1');
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
  });

  it('keys typed before the app is live are kept: sent at once, and while ink loads', async () => {
    const { root, names } = makeTree(5);
    session = `patchq-tui-early-${process.pid}-${Date.now()}`;
    const cmd = `env CI=1 NO_COLOR=1 ${process.execPath} ${CLI} tui; echo EXIT=$?; sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', root, cmd).status).toBe(0);
    // Before node has even started...
    tmux('send-keys', '-t', session, 'j');
    // ...and as soon as the plain first frame shows (ink and react take ~0.5 s more to load).
    await until((s) => s.includes('5 patches, 0 applied'), 'first frame');
    tmux('send-keys', '-t', session, 'j', 'p');
    await until((s) => s.includes(`Pushed 3 patch(es); now at ${names[2]}`), 'push of the first 3');
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
    expect(patchq(root, ['applied']).stdout.trim().split('\n')).toEqual(names.slice(0, 3));
  });

  it('follows resizes (80x24, wide, 80x24 again) and paints colour unless NO_COLOR', async () => {
    const { root, names } = makeTree(30);
    await push(openTree(root, {}), { target: { count: 2 } });
    session = `patchq-tui-size-${process.pid}-${Date.now()}`;
    const cmd = `env CI=1 ${process.execPath} ${CLI} tui; echo EXIT=$?; sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', root, cmd).status).toBe(0);
    tmux('send-keys', '-t', session, '?');
    await until((s) => s.includes('patchq: keys'), 'input live');
    tmux('send-keys', '-t', session, 'h');
    const small = await until((s) => s.includes('q quit') && s.includes(names[20]!), 'stack at 80x24');
    expect(small).not.toContain(names[21]); // 24 rows: title, 21 patches, status, footer
    expect(small).not.toContain('/ filter'); // the footer keeps what fits, ? and q always
    // Colour: applied rows green, title bold (SGR sequences in the pane).
    expect(painted()).toMatch(SGR);
    tmux('resize-window', '-t', session, '-x', '150', '-y', '40');
    const wide = await until((s) => s.includes(names[29]!) && s.includes('/ filter'), 'stack at 150x40');
    expect(wide.split('\n').filter((l) => l.includes('30 patches, 2 applied')).length).toBe(1);
    tmux('resize-window', '-t', session, '-x', '80', '-y', '24');
    const again = await until((s) => !s.includes(names[29]!) && !s.includes('/ filter') && s.includes('q quit'), 'back at 80x24');
    expect(again.split('\n').filter((l) => l.includes('30 patches, 2 applied')).length).toBe(1);
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
    tmux('kill-session', '-t', session);

    // The same tree with NO_COLOR: not one colour or attribute sequence.
    session = `patchq-tui-nocolor-${process.pid}-${Date.now()}`;
    const plain = `env CI=1 NO_COLOR=1 ${process.execPath} ${CLI} tui; echo EXIT=$?; sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', root, plain).status).toBe(0);
    tmux('send-keys', '-t', session, '?');
    await until((s) => s.includes('patchq: keys'), 'input live');
    tmux('send-keys', '-t', session, 'h');
    await until((s) => s.includes('q quit') && s.includes(names[0]!), 'stack');
    expect(painted()).not.toMatch(SGR);
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
  });

  it('colour follows the color setting and --color as every command does (never: not one escape)', async () => {
    const { root, names } = makeTree(3);
    await push(openTree(root, {}), { target: { count: 1 } });
    const cfg = join(root, '.cfg');
    expect(patchq(root, ['config', 'set', 'color', 'never'], { PATCHQ_CONFIG_DIR: cfg }).code).toBe(0);
    const runs: [string, string, boolean][] = [
      ['the setting', `env CI=1 PATCHQ_CONFIG_DIR=${cfg} ${process.execPath} ${CLI}`, false],
      ['--color=never', `env CI=1 ${process.execPath} ${CLI} tui --color=never`, false],
      ['--color=always over the setting', `env CI=1 PATCHQ_CONFIG_DIR=${cfg} ${process.execPath} ${CLI} tui --color=always`, true],
    ];
    for (const [what, run, coloured] of runs) {
      session = `patchq-tui-color-${process.pid}-${Date.now()}`;
      expect(tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', root, `${run}; echo EXIT=$?; sleep 30`).status).toBe(0);
      tmux('send-keys', '-t', session, '?');
      await until((s) => s.includes('patchq: keys'), `input live (${what})`);
      tmux('send-keys', '-t', session, 'h');
      await until((s) => s.includes('enter diff') && s.includes(names[0]!), `stack (${what})`);
      expect([what, SGR.test(painted())]).toEqual([what, coloured]);
      tmux('send-keys', '-t', session, 'q');
      expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
      tmux('kill-session', '-t', session);
    }
  });

  it('bare patchq on a terminal outside a tree prints the usage, not an internal error', async () => {
    const root = tempDir('patchq-tui-none-');
    session = `patchq-tui-none-${process.pid}-${Date.now()}`;
    // stdout the terminal itself (the usage is ~60 lines: a tall pane keeps its first).
    const cmd = `env CI=1 NO_COLOR=1 PATCHQ_CONFIG_DIR=${join(root, '.cfg')} ${process.execPath} ${CLI}; echo EXIT=$?; sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '90', '-c', root, cmd).status).toBe(0);
    const end = await until((s) => s.includes('EXIT='), 'exit');
    expect(end).toContain('Usage: patchq <command>');
    expect(end).not.toContain('internal error');
    expect(end).toContain('EXIT=0');
  });

  it('with no terminal to read keys from (stdin not one, or TERM=dumb): patchq lists the series, patchq tui says why, demo prints its report', async () => {
    const { root, names } = makeTree(2);
    session = `patchq-tui-nokeys-${process.pid}-${Date.now()}`;
    // stdout the terminal in each; all in one pane (no ink loads: each ends at once).
    const pq = `env NO_COLOR=1 PATCHQ_CONFIG_DIR=${join(root, '.cfg')} ${process.execPath} ${CLI}`;
    const cmd = [
      `${pq} tui </dev/null; echo A=$?`,
      `${pq} </dev/null; echo B=$?`,
      `env TERM=dumb ${pq} tui; echo C=$?`,
      `env TERM=dumb ${pq}; echo D=$?`,
      `${pq} demo </dev/null | grep -c 'Opening the TUI'; echo E=$?`,
      'sleep 30',
    ].join('; ');
    expect(tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-c', root, cmd).status).toBe(0);
    const end = await until((s) => s.includes('E='), 'the last command');
    expect(end).not.toContain('internal error');
    expect(end).toContain('patchq tui needs a terminal (stdin is not a TTY)\nA=1');
    expect(end).toContain(`${names[0]}\n${names[1]}\nB=0`);
    expect(end).toContain('patchq tui needs a terminal that can move the cursor (TERM is dumb)\nC=1');
    expect(end).toContain(`${names[0]}\n${names[1]}\nD=0`);
    // (grep -c counts the lines: none, so grep exits 1.)
    expect(end).toContain('0\nE=1');
  });

  it("an error the TUI's own bundle throws is a PatchqError to the CLI (said as one, not 'internal error')", async () => {
    const { isPatchqError } = await import('../../src/errors.js');
    const { startTui } = (await import(join(CLI, '..', 'tui.mjs'))) as { startTui: (o: { cwd: string; env: NodeJS.ProcessEnv }) => Promise<number> };
    const err = await startTui({ cwd: tempDir('patchq-tui-none-'), env: {} }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isPatchqError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('E_NOT_FOUND');
  });

  it('a stopped reapply: e opens the conflicted file in $EDITOR, the view comes back, c continues to the end', async () => {
    const root = buildDemo(join(tempDir('patchq-tui-e2e-'), 'fork')).root;
    // Upstream rewrites the line 02-app-banner changes: reapply stops there with merge markers.
    const app = readFileSync(join(root, 'app.py'), 'utf8');
    writeFileSync(join(root, 'app.py'), app.replace('render_template("index.html", mode=mode)', 'render_template("home.html", mode=mode)'));
    git(root, 'commit', '-qam', 'upstream v3');
    // The "person": an editor that resolves the marker block in the file it is given.
    const editor = join(root, '..', 'resolve.mjs');
    writeFileSync(
      editor,
      `#!${process.execPath}\nimport { readFileSync, writeFileSync } from 'node:fs';\nconst f = process.argv[2];\n` +
        `writeFileSync(f, readFileSync(f, 'utf8').replace(/^<<<<<<< [^\\n]*\\n[\\s\\S]*?^>>>>>>> [^\\n]*\\n/m, '    return render_template("home.html", mode=mode, banner="patchq demo fork")\\n'));\n`,
      { mode: 0o755 },
    );
    session = `patchq-tui-reapply-${process.pid}-${Date.now()}`;
    const cmd = `env CI=1 NO_COLOR=1 EDITOR=${editor} ${process.execPath} ${CLI} tui; echo EXIT=$?; sleep 30`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', root, cmd).status).toBe(0);
    await until((s) => s.includes('4 patches, 0 applied'), 'first frame');
    tmux('send-keys', '-t', session, 'R');
    await until((s) => s.includes('Reapply stopped at 02-app-banner.patch') && s.includes('conflicts in app.py'), 'conflict view');
    expect(read(root, 'app.py')).toMatch(/^<<<<<<< /m);
    tmux('send-keys', '-t', session, 'e');
    await until(() => !/^<<<<<<< /m.test(read(root, 'app.py')), 'editor resolved the file');
    // Back from the editor: the stopped run is shown again.
    await until((s) => s.includes('Reapply stopped at 02-app-banner.patch') && s.includes('q quit'), 'conflict view again');
    tmux('send-keys', '-t', session, 'c');
    await until((s) => s.includes('Reapply stopped at 04-user-typo.patch'), 'next stop');
    tmux('send-keys', '-t', session, 'c');
    await until((s) => s.includes('Reapply: every patch is back'), 'report');
    tmux('send-keys', '-t', session, 'q');
    expect(await until((s) => s.includes('EXIT='), 'exit')).toContain('EXIT=0');
    expect(patchq(root, ['applied']).stdout.trim().split('\n')).toEqual(['01-pooling.patch', '02-app-banner.patch', '03-settings-default.patch']);
    expect(read(root, 'patches/02-app-banner.patch')).toContain('+    return render_template("home.html", mode=mode, banner="patchq demo fork")');
  });
});
