import { readFileSync } from 'node:fs';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  ctx.out.line(pkg.version);
  return { data: { version: pkg.version } };
};
