// A small worker-thread pool: jobs run on `size` workers (default: the core count), each
// with a deadline. A job past its deadline is answered { timeout: true } and its worker
// is terminated and replaced, so one pathological case cannot stall the whole run.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

export async function runPool(workerUrl, jobs, { size = availableParallelism(), timeoutMs = 60_000, onResult } = {}) {
  const results = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    let w = null;
    while (next < jobs.length) {
      const i = next++;
      w ??= new Worker(workerUrl);
      const r = await new Promise((resolve) => {
        const t = setTimeout(() => resolve({ timeout: true, ms: timeoutMs }), timeoutMs);
        const done = (v) => {
          clearTimeout(t);
          w.off('message', onMsg);
          w.off('error', onErr);
          resolve(v);
        };
        const onMsg = (v) => done(v);
        const onErr = (e) => done({ error: String(e && e.stack ? e.stack : e) });
        w.on('message', onMsg);
        w.on('error', onErr);
        w.postMessage(jobs[i]);
      });
      if (r.timeout || r.error) {
        await w.terminate();
        w = null;
      }
      results[i] = r;
      onResult?.(i, r);
    }
    if (w) await w.terminate();
  };
  await Promise.all(Array.from({ length: Math.max(1, size) }, lane));
  return results;
}
