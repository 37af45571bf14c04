/** `npm run demo:series`: regenerate the repo's patches/ from src/demo (see series.ts). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSeries } from './series.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'patches');
const files = await makeSeries();
rmSync(target, { recursive: true, force: true });
for (const [p, text] of Object.entries(files)) {
  mkdirSync(dirname(join(target, p)), { recursive: true });
  writeFileSync(join(target, p), text);
}
console.log(`wrote ${Object.keys(files).length} files to ${target}`);
