/** Output helpers: markdown escaping and the JSON error shape. */
import { describe, expect, it } from 'vitest';
import { PatchqError } from '../../src/engine/errors.js';
import { jsonError } from '../../src/output/json.js';
import { mdBlock, mdCode, mdTable } from '../../src/output/markdown.js';

describe('markdown', () => {
  it('escapes pipes and newlines in table cells', () => {
    expect(mdTable(['patch', 'hunks'], [['a|b.patch', 2], ['x\ny', 0]])).toBe('| patch | hunks |\n|---|---|\n| a\\|b.patch | 2 |\n| x y | 0 |');
  });
  it('fences outlast backticks inside', () => {
    expect(mdCode('a`b')).toBe('`` a`b ``');
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdBlock('x\n````\n', 'diff')).toBe('`````diff\nx\n````\n`````');
  });
});

describe('json errors', () => {
  it('carries code, message, file and line (null when unknown)', () => {
    const e = new PatchqError('E_PATCH_PARSE', 'bad hunk header', { file: 'patches/x.patch', line: 7 });
    expect(JSON.parse(jsonError(e))).toEqual({ error: { code: 'E_PATCH_PARSE', message: 'bad hunk header', file: 'patches/x.patch', line: 7 } });
    expect(JSON.parse(jsonError(new PatchqError('E_USAGE', 'no')))).toEqual({ error: { code: 'E_USAGE', message: 'no', file: null, line: null } });
  });
});
