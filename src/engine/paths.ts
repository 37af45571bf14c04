/**
 * Path handling for names found in patches: -pN stripping and the tree guard.
 *
 * Every name a patch gives goes through normalizeTreePath before anything else sees it,
 * so "../etc/passwd", "/etc/passwd" or "a/../../x" never reach the stack as a target.
 * Symlinks are the fs layer's business (fsx/guard.ts); this module only knows strings.
 */
import { PatchqError } from './errors.js';

/**
 * Strip `strip` leading components, GNU patch style: each component is text up to and
 * including a run of slashes.
 *   stripPath("a/src/x.c", 1) -> "src/x.c"
 *   stripPath("x.c", 1)       -> null   (nothing left: the caller reports it)
 *   stripPath("/abs/x", 1)    -> "abs/x" (the leading "/" is the first component)
 */
export function stripPath(name: string, strip: number): string | null {
  let rest = name;
  for (let i = 0; i < strip; i++) {
    const slash = rest.indexOf('/');
    if (slash < 0) return null;
    let end = slash;
    while (rest[end] === '/') end++;
    rest = rest.slice(end);
  }
  return rest === '' ? null : rest;
}

/**
 * A clean relative path with "/" separators, or a PatchqError E_PATH_OUTSIDE.
 *   normalizeTreePath("./src//a.c")   -> "src/a.c"
 *   normalizeTreePath("src/../a.c")   -> "a.c"
 *   normalizeTreePath("../a.c")       -> throws (escapes the tree)
 *   normalizeTreePath("/etc/passwd")  -> throws (absolute)
 */
export function normalizeTreePath(p: string, where: { file?: string; line?: number } = {}): string {
  const fail = (why: string): never => {
    throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${printable(p)}': ${why}`, where);
  };
  if (p.includes('\0')) fail('it contains a NUL byte');
  // A newline or tab in a name cannot be written back into a quilt patch (and would
  // forge lines in messages): refused, like quilt's own "cannot contain spaces" rule.
  // eslint-disable-next-line no-control-regex
  if (/[\x01-\x1f\x7f]/.test(p)) fail('it contains a control character (newline, tab, ...); patchq cannot write such a name into a patch');
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) fail('it is absolute');
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) fail('it leads outside the tree');
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  if (parts.length === 0) fail('it names no file');
  if (parts[0] === '.git' || parts[0] === '.pc') fail(`it writes into ${parts[0]}/`);
  return parts.join('/');
}

/** For messages: control characters shown escaped so a hostile name cannot forge output. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
