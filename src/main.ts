#!/usr/bin/env node
/**
 * The binary's entry (dist/bin/cli.cjs): V8's compile cache first (compile-cache.ts), then
 * the CLI itself, which is loaded after it so that its chunks are compiled through it.
 */
import { startCompileCache } from './compile-cache.js';

startCompileCache(process.argv[2]);
void import('./cli.js');
