/**
 * Colour on real command output: push's quilt wording and series -v, painted by meaning
 * when asked (--color=always, FORCE_COLOR), plain under NO_COLOR and when not a terminal.
 */
import { describe, expect, it } from 'vitest';
import { patchq, tempDir, write } from '../helpers/tree.js';

const numbered = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

const ESC = '\x1b[';

function drifted(): string {
  const root = tempDir();
  write(root, 'a.txt', numbered(1, 30));
  // The patch's context says line 10 is at 10; the file gets 3 lines on top, so hunk 1 lands at an offset.
  const lines = numbered(1, 30).split('\n');
  write(root, 'patches/series', 'p.patch\n');
  write(root, 'patches/p.patch', `--- a/a.txt\n+++ b/a.txt\n@@ -9,3 +9,3 @@\n ${lines[8]}\n-${lines[9]}\n+changed\n ${lines[10]}\n`);
  write(root, 'a.txt', `x\ny\nz\n${numbered(1, 30)}`);
  return root;
}

describe('colour', () => {
  it('--color=always paints the offset hunk and the closing line; the words stay quilt\'s', () => {
    const root = drifted();
    const r = patchq(root, ['push', '--color=always']);
    expect(r.code).toBe(0);
    const offset = r.stdout.split('\n').find((l) => l.includes('succeeded at 12 (offset 3 lines)'));
    expect(offset).toBeDefined();
    expect(offset!.startsWith(`${ESC}36m`)).toBe(true);
    expect(r.stdout).toContain(`${ESC}32mNow at patch p.patch${ESC}0m`);
    expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toContain('Hunk #1 succeeded at 12 (offset 3 lines).');
  });

  it('paints nothing under NO_COLOR, nor when stdout is not a terminal', () => {
    const a = patchq(drifted(), ['push'], { NO_COLOR: '1', FORCE_COLOR: '1' });
    const b = patchq(drifted(), ['push']);
    for (const r of [a, b]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('succeeded at 12');
      expect(r.stdout).not.toContain(ESC);
    }
  });

  it('series -v paints the top patch and the drift note', () => {
    const root = drifted();
    expect(patchq(root, ['push']).code).toBe(0);
    const r = patchq(root, ['series', '-v'], { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(r.stdout).toContain(`${ESC}1;32m= p.patch${ESC}0m`);
    expect(r.stdout).toMatch(/\x1b\[33m {2}\(.*drifted/);
  });
});
