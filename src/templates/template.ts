/**
 * Template files: YAML, validated against a small schema; every error names the file and
 * the line of the offending node. A template is a rule, not frozen lines: `runTemplate`
 * applies it to the current tree, `templatePatch` turns the result into a patch.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { PatchqError } from '../engine/errors.js';
import type { Params, Rule } from './rules.js';

export interface Parameter {
  default: string;
  description?: string;
  pattern?: string;
  enum?: string[];
}

export interface Check {
  name: string;
  /** Regex that must not match covered files (those matching every `when` regex). */
  absent?: string;
  /** Each covered file matching every `when` (before the run) got at least `min` rewrites from `rule`. */
  minRewrites?: { rule: string; min: number };
  when: string[];
}

export interface Template {
  name: string;
  version: number;
  description: string;
  parameters: Record<string, Parameter>;
  include: string[];
  exclude: string[];
  rules: Rule[];
  checks: Check[];
  generator?: { command: string[] };
  /** Where it was loaded from. */
  path: string;
  /** The file's text, so a fork can keep a copy beside its series. */
  source: string;
}

const RULE_KINDS = ['literal', 'regex', 'structural', 'call', 'import'];

export function loadTemplate(path: string): Template {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    // A folder named x.yaml is no template: one line naming it (it was an internal error).
    // EACCES and the like go on to the CLI, which names the file and the reason in one line.
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new PatchqError('E_CONFIG', 'is a directory, where a file was expected', { file: path });
    throw e;
  }
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, prettyErrors: false });
  const lineOf = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    // Without prettyErrors the error carries its offset only (linePos stays unset).
    throw new PatchqError('E_CONFIG', `invalid YAML: ${e.message.split('\n')[0]}`, { file: path, line: e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line });
  }
  const fail = (msg: string, node?: Node | null): never => {
    throw new PatchqError('E_CONFIG', msg, { file: path, line: lineOf(node ?? doc.contents) });
  };
  if (!isMap(doc.contents)) fail('a template is a mapping (name:, rules:, ...)');
  const top = doc.contents as import('yaml').YAMLMap;
  const node = (key: string) => top.get(key, true) as Node | undefined;
  const data = doc.toJS() as Record<string, unknown>;
  const known = ['name', 'version', 'description', 'parameters', 'files', 'rules', 'checks', 'generator'];
  for (const item of top.items) {
    const k = String((item.key as { value?: unknown })?.value ?? item.key);
    if (!known.includes(k)) fail(`unknown key '${k}' (expected one of: ${known.join(', ')})`, item.key as Node);
  }
  if (typeof data.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(data.name)) fail('name: a lower-case identifier is required', node('name'));
  const files = (data.files ?? {}) as { include?: unknown; exclude?: unknown };
  const include = Array.isArray(files.include) ? files.include.map(String) : fail('files.include: a list of globs is required', node('files'));
  const rulesNode = node('rules');
  const rules = (data.rules ?? []) as Rule[];
  if (!Array.isArray(rules)) fail('rules: a list is required', rulesNode);
  rules.forEach((r, i) => {
    const rn = isSeq(rulesNode) ? (rulesNode.items[i] as Node) : rulesNode;
    if (!r || typeof r !== 'object') fail(`rules[${i}]: a mapping is required`, rn);
    if (!RULE_KINDS.includes((r as Rule).kind)) fail(`rules[${i}].kind: one of ${RULE_KINDS.join(', ')} is required`, rn);
    if (typeof (r as Rule).name !== 'string') fail(`rules[${i}].name is required`, rn);
    if ((r as Rule).kind === 'regex') {
      try {
        new RegExp((r as { pattern: string }).pattern);
      } catch (e) {
        fail(`rules[${i}].pattern: ${(e as Error).message}`, rn);
      }
    }
  });
  const generator = data.generator as Template['generator'];
  if (rules.length === 0 && !generator) fail('a template needs rules or a generator');
  const parameters: Record<string, Parameter> = {};
  for (const [k, v] of Object.entries((data.parameters ?? {}) as Record<string, Record<string, unknown>>)) {
    if (v?.default === undefined) fail(`parameters.${k}.default is required`, node('parameters'));
    parameters[k] = { default: String(v.default), ...(v.description ? { description: String(v.description) } : {}), ...(v.pattern ? { pattern: String(v.pattern) } : {}), ...(Array.isArray(v.enum) ? { enum: v.enum.map(String) } : {}) };
  }
  const checks = ((data.checks ?? []) as Array<Record<string, unknown>>).map((c, i) => ({
    name: String(c.name ?? `check ${i + 1}`),
    ...(c.absent ? { absent: String(c.absent) } : {}),
    ...(c['min-rewrites'] ? { minRewrites: c['min-rewrites'] as { rule: string; min: number } } : {}),
    when: Array.isArray(c.when) ? c.when.map(String) : c.when ? [String(c.when)] : [],
  }));
  return {
    name: data.name as string,
    version: Number(data.version ?? 1),
    description: String(data.description ?? ''),
    parameters,
    include,
    exclude: Array.isArray(files.exclude) ? files.exclude.map(String) : [],
    rules,
    checks,
    ...(generator ? { generator } : {}),
    path,
    source,
  };
}

/** Shipped templates: this package's templates/ folder. */
export const shippedDir = (): string => join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** A fork's own templates (patches/templates/) come first, then the shipped ones. */
export function findTemplate(name: string, searchDirs: string[]): string {
  // A name is a file's name in one of the folders: '../x' or '/x' would take a template
  // (with a generator command, maybe) from anywhere, a patch's Patchq-Template: line too.
  if (name === '' || /[/\\\x00-\x1f\x7f]/.test(name) || name.startsWith('.')) {
    throw new PatchqError('E_BAD_NAME', `template name '${name.replace(/[\x00-\x1f\x7f]/g, '?')}' invalid: a template is named by its file in ${searchDirs.join(' or ')} (no '/', no leading '.')`);
  }
  for (const dir of searchDirs) {
    for (const ext of ['.yaml', '.yml']) {
      const p = join(dir, name + ext);
      if (existsSync(p)) return p;
    }
  }
  throw new PatchqError('E_NOT_FOUND', `no template named '${name}' (looked in ${searchDirs.join(', ')})`);
}

export function listTemplates(searchDirs: string[]): { name: string; description: string; path: string }[] {
  const seen = new Map<string, { name: string; description: string; path: string }>();
  for (const dir of searchDirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
      try {
        const t = loadTemplate(join(dir, f));
        if (!seen.has(t.name)) seen.set(t.name, { name: t.name, description: t.description.split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ').trim(), path: t.path });
      } catch {
        // Not a template (a workflow file, say): skip it in listings.
      }
    }
  }
  return [...seen.values()];
}

/** Parameters after --set overrides, validated. */
export function resolveParams(tpl: Template, overrides: Record<string, string> = {}): Params {
  const out: Params = {};
  for (const k of Object.keys(overrides)) {
    if (!(k in tpl.parameters)) throw new PatchqError('E_USAGE', `template ${tpl.name} has no parameter '${k}' (it has: ${Object.keys(tpl.parameters).join(', ') || 'none'})`);
  }
  for (const [k, p] of Object.entries(tpl.parameters)) {
    let v = overrides[k] ?? p.default;
    // `--set pre_ping=false` means False: enum values match case-insensitively, stored as spelled in the template.
    const canon = p.enum?.find((e) => e.toLowerCase() === v.toLowerCase());
    if (canon !== undefined) v = canon;
    if (p.enum && !p.enum.includes(v)) throw new PatchqError('E_USAGE', `parameter ${k}: '${v}' is not one of ${p.enum.join(', ')}`);
    if (p.pattern && !new RegExp(p.pattern).test(v)) throw new PatchqError('E_USAGE', `parameter ${k}: '${v}' does not match ${p.pattern}`);
    out[k] = v;
  }
  return out;
}

