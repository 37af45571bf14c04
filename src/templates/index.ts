/** Template patches: a patch made from a rule, regenerated on any upstream. */
export { loadTemplate, findTemplate, listTemplates, resolveParams, shippedDir, type Template, type Parameter, type Check } from './template.js';
export { runTemplate, templatePatch, templateHeader, parseTemplateHeader, coveredFiles, covers, globToRegExp, type TemplateRun, type TemplateRunFile, type TemplateView } from './run.js';
export { runRule, fill, type Rule, type Params } from './rules.js';

import { join } from 'node:path';
import { shippedDir } from './template.js';

/** Where templates are looked up for a tree: the fork's patches/templates/, then patchq's own. */
export const templateDirs = (patchesDir: string): string[] => [join(patchesDir, 'templates'), shippedDir()];
export { changesNotRegenerated, createTemplatePatch, regenerate, regenInStack, templateOf, patchTextFor, type Regenerated, type RegenInStack } from './regen.js';
