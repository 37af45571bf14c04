import { describe, expect, it } from 'vitest';
import { applyFilePatch, gitBlobId } from '../../src/engine/index.js';
import type { FilePatch } from '../../src/engine/types.js';
import { git, tmp } from './apply-helpers.js';

const oldBin = '\x00\x01\x02PNG\xff\xfe';
const newBin = '\x00\x01\x03PNG\xff\xfe\x80';

function binPatch(): FilePatch {
  return {
    oldPath: 'img.bin', newPath: 'img.bin', rawOld: 'a/img.bin', rawNew: 'b/img.bin', kind: 'modify', git: true,
    index: { oldId: gitBlobId(oldBin).slice(0, 7), newId: gitBlobId(newBin).slice(0, 7) },
    binary: {
      hasData: true,
      forward: { method: 'literal', data: newBin, size: newBin.length },
      reverse: { method: 'literal', data: oldBin, size: oldBin.length },
    },
    hunks: [], patchLine: 1,
  };
}

describe('binary patches go through the index line', () => {
  it('gitBlobId agrees with git hash-object on non-UTF-8 bytes', () => {
    const dir = tmp();
    git(dir, ['init', '-q']);
    expect(gitBlobId(oldBin)).toBe(git(dir, ['hash-object', '--stdin'], oldBin).trim());
  });

  it('applies to the named pre-image, forward and reverse', () => {
    const r = applyFilePatch(binPatch(), { text: oldBin });
    expect(r.report.status).toBe('ok');
    expect(r.text).toBe(newBin);
    expect(applyFilePatch(binPatch(), { text: newBin }, { reverse: true }).text).toBe(oldBin);
  });

  it('refuses another file, and knows when it is already applied', () => {
    const other = applyFilePatch(binPatch(), { text: 'something else' });
    expect(other.report.status).toBe('failed');
    expect(other.report.message).toMatch(/not the patch's pre-image/);
    expect(other.text).toBe('something else');
    expect(applyFilePatch(binPatch(), { text: newBin }).report.status).toBe('already-applied');
  });
});
