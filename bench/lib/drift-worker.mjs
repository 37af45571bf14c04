// Worker for the drift suite: runs the named tools on one case in this worker's own dir
// and returns a verdict per tool (correct / wrong / failed), never the texts themselves.
import { parentPort, threadId } from 'node:worker_threads';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS, prepareCase } from './tools.mjs';

const dir = mkdtempSync(join(process.env.PATCHQ_BENCH_TMP, `w${threadId}-`));

parentPort.on('message', ({ c, tools }) => {
  prepareCase(dir, c);
  const out = {};
  for (const name of tools) {
    const fn = TOOLS.find((t) => t[0] === name)[1];
    const t0 = performance.now();
    let r;
    try {
      r = fn(c, dir);
    } catch (e) {
      r = { ok: false, text: null, error: String(e) };
    }
    const v = !r.ok ? 'failed' : r.text === c.truth ? 'correct' : 'wrong';
    out[name] = { v, ms: performance.now() - t0, ...(v === 'failed' && r.why ? { why: r.why } : {}) };
  }
  parentPort.postMessage({ out });
});
