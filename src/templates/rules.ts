/**
 * Rewrite rules. Each takes a file's text and the template's parameters, and returns the
 * new text and how many rewrites it made (checks count them). Kinds:
 *
 *   literal     find -> replace, every occurrence
 *   regex       pattern (multiline) -> replace with $1.. and {{param}}
 *   structural  comby-like: `foo(:[a], :[b])` where holes match balanced text and
 *               whitespace between tokens does not matter; replace with :[a] {{param}}
 *   call        edit a call's keyword arguments whatever its layout: `when` conditions on
 *               arguments, `set` arguments, `dict-set` entries in a dict argument, and a
 *               one-argument-per-line layout at the call's own indentation
 *   import      `from M import A, B`: make sure the new names are imported where used,
 *               drop old names nobody uses any more
 */
import { balancedEnd, codeOnly, findCalls, isBalanced, splitTopLevel, type Item } from './structural.js';

export type Params = Record<string, string>;

export interface CallCondition {
  arg: string | number;
  equals?: string;
  contains?: string;
  absent?: boolean;
}

export type Rule =
  | { name: string; kind: 'literal'; find: string; replace: string }
  | { name: string; kind: 'regex'; pattern: string; replace: string; flags?: string }
  | { name: string; kind: 'structural'; match: string; replace: string; where?: Record<string, string> }
  | { name: string; kind: 'call'; function: string; when?: CallCondition[]; set?: Record<string, string>; 'dict-set'?: Record<string, Record<string, string>> }
  | { name: string; kind: 'import'; module: string; replace: Record<string, string> };

export const fill = (s: string, params: Params): string => s.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => params[k] ?? `{{${k}}}`);

const eolOf = (text: string): string => (/\r\n/.test(text.slice(0, (text.indexOf('\n') + 1) || undefined)) ? '\r\n' : '\n');

export function runRule(rule: Rule, text: string, params: Params): { text: string; rewrites: number } {
  switch (rule.kind) {
    case 'literal': {
      const find = fill(rule.find, params);
      const n = find === '' ? 0 : text.split(find).length - 1;
      return { text: n ? text.split(find).join(fill(rule.replace, params)) : text, rewrites: n };
    }
    case 'regex': {
      let n = 0;
      const re = new RegExp(fill(rule.pattern, params), (rule.flags ?? 'gm').includes('g') ? (rule.flags ?? 'gm') : `${rule.flags}g`);
      const out = text.replace(re, (...m: unknown[]) => {
        n++;
        const groups = m.slice(0, -2) as string[];
        return fill(rule.replace, params).replace(/\$(\d)/g, (_, d: string) => groups[Number(d)] ?? '');
      });
      return { text: out, rewrites: n };
    }
    case 'structural':
      return structural(rule, text, params);
    case 'call':
      return callRule(rule, text, params);
    case 'import':
      return importRule(rule, text, params);
  }
}

// ---------------------------------------------------------------- structural

type Part = { lit: RegExp } | { hole: string };

function compile(pattern: string): Part[] {
  const parts: Part[] = [];
  for (const piece of pattern.split(/(:\[\w+\])/)) {
    const hole = /^:\[(\w+)\]$/.exec(piece);
    if (hole) parts.push({ hole: hole[1]! });
    else if (piece.trim() !== '') {
      const src = piece.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*');
      parts.push({ lit: new RegExp(`\\s*${src}`, 'y') });
    }
  }
  return parts;
}

/** Match parts at position p; holes take the shortest balanced text that lets the rest match. */
function matchAt(text: string, parts: Part[], k: number, p: number, env: Record<string, string>): number {
  if (k === parts.length) return p;
  const part = parts[k]!;
  if ('lit' in part) {
    part.lit.lastIndex = p;
    return part.lit.test(text) ? matchAt(text, parts, k + 1, part.lit.lastIndex, env) : -1;
  }
  for (let e = p; e <= text.length; e++) {
    const seg = text.slice(p, e);
    if (!isBalanced(seg)) continue;
    env[part.hole] = seg.trim();
    const end = matchAt(text, parts, k + 1, e, env);
    if (end >= 0) return end;
    if (/[)\]}]/.test(text[e] ?? '') && !isBalanced(text.slice(p, e + 1))) break; // a hole never crosses an unbalanced bracket
  }
  return -1;
}

function structural(rule: Extract<Rule, { kind: 'structural' }>, text: string, params: Params) {
  const parts = compile(fill(rule.match, params));
  const first = parts[0];
  if (!first || !('lit' in first)) return { text, rewrites: 0 };
  let out = '';
  let last = 0;
  let n = 0;
  const code = codeOnly(text);
  for (let p = 0; p < text.length; p++) {
    first.lit.lastIndex = p;
    if (code[p] === ' ' && text[p] !== ' ' && text[p] !== '\t') continue; // inside a string or comment
    if (!first.lit.test(text)) continue;
    const env: Record<string, string> = {};
    const end = matchAt(text, parts, 0, p, env);
    if (end < 0) continue;
    if (rule.where && !Object.entries(rule.where).every(([h, re]) => new RegExp(re).test(env[h] ?? ''))) continue;
    const start = p + (/^\s*/.exec(text.slice(p))![0].length);
    out += text.slice(last, start) + fill(rule.replace, params).replace(/:\[(\w+)\]/g, (_, h: string) => env[h] ?? '');
    last = p = end;
    p--;
    n++;
  }
  return { text: out + text.slice(last), rewrites: n };
}

// ---------------------------------------------------------------- call

interface Arg {
  key: string | null;
  value: string;
  comments: string[];
  trailing?: string;
}

const toArg = (it: Item): Arg => {
  const m = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(it.text);
  const base = m ? { key: m[1]!, value: m[2]! } : { key: null, value: it.text };
  return { ...base, comments: it.comments, ...(it.trailing ? { trailing: it.trailing } : {}) };
};
const line = (ind: string, text: string, trailing?: string) => `${ind}${text},${trailing ? `  ${trailing}` : ''}`;

function argOf(args: Arg[], ref: string | number): Arg | undefined {
  return typeof ref === 'number' ? args.filter((a) => a.key === null)[ref] : args.find((a) => a.key === ref);
}

function holds(args: Arg[], c: CallCondition): boolean {
  const a = argOf(args, c.arg);
  if (c.absent) return a === undefined;
  if (!a) return false;
  if (c.equals !== undefined && a.value.trim() !== c.equals) return false;
  if (c.contains !== undefined && !a.value.includes(c.contains)) return false;
  return true;
}

/** Set entries of a dict literal `{...}`, one per line, keeping the existing ones' text. */
function dictWithEntries(value: string, entries: Record<string, string>, ind: string, eol: string): string | null {
  const v = value.trim();
  if (!v.startsWith('{') || balancedEnd(v, 0) !== v.length) return null;
  const items = splitTopLevel(v.slice(1, -1));
  const quote = items.some((i) => i.text.startsWith("'")) && !items.some((i) => i.text.startsWith('"')) ? "'" : '"';
  const lines = items.map((i) => ({ ...i }));
  for (const [k, val] of Object.entries(entries)) {
    const existing = lines.find((i) => new RegExp(`^['"]${k}['"]\\s*:`).test(i.text));
    const entry = `${quote}${k}${quote}: ${val}`;
    if (existing) existing.text = entry;
    else lines.push({ text: entry, comments: [] });
  }
  const body = lines.flatMap((i) => [...i.comments.map((c) => `${ind}    ${c}`), line(`${ind}    `, i.text, i.trailing)]);
  return `{${eol}${body.join(eol)}${eol}${ind}}`;
}

function callRule(rule: Extract<Rule, { kind: 'call' }>, text: string, params: Params) {
  const eol = eolOf(text);
  let out = text;
  let n = 0;
  // Right to left, so earlier offsets stay valid.
  for (const [start, open] of findCalls(text, rule.function).reverse()) {
    const end = balancedEnd(out, open);
    if (end < 0) continue;
    const args = splitTopLevel(out.slice(open + 1, end - 1)).map(toArg);
    if (!(rule.when ?? []).every((c) => holds(args, c))) continue;
    const lineStart = out.lastIndexOf('\n', start) + 1;
    const ind = /^[ \t]*/.exec(out.slice(lineStart))![0];
    for (const [k, v] of Object.entries(rule.set ?? {})) {
      const a = argOf(args, k);
      if (a) a.value = fill(v, params);
      else args.push({ key: k, value: fill(v, params), comments: [] });
    }
    for (const [k, entries] of Object.entries(rule['dict-set'] ?? {})) {
      const a = argOf(args, k);
      const filled = Object.fromEntries(Object.entries(entries).map(([ek, ev]) => [ek, fill(ev, params)]));
      const dict = a ? dictWithEntries(a.value, filled, ind + '    ', eol) : null;
      if (a && dict) a.value = dict;
    }
    const body = args.flatMap((a) => [...a.comments.map((c) => `${ind}    ${c}`), line(`${ind}    `, `${a.key ? `${a.key}=` : ''}${a.value}`, a.trailing)]);
    const call = `${out.slice(start, open)}(${eol}${body.join(eol)}${eol}${ind})`;
    if (call === out.slice(start, end)) continue;
    out = out.slice(0, start) + call + out.slice(end);
    n++;
  }
  return { text: out, rewrites: n };
}

// ---------------------------------------------------------------- import

function importRule(rule: Extract<Rule, { kind: 'import' }>, text: string, params: Params) {
  const mod = rule.module.replace(/\./g, '\\.');
  const re = new RegExp(`^([ \\t]*from\\s+${mod}\\s+import\\s+)(\\([^)]*\\)|[^\\n#]*?)([ \\t]*(?:#[^\\n]*)?)$`, 'm');
  const m = re.exec(text);
  if (!m) return { text, rewrites: 0 };
  const [whole, head, namesRaw, tail] = [m[0], m[1]!, m[2]!, m[3]!];
  const paren = namesRaw.startsWith('(');
  const names = (paren ? namesRaw.slice(1, -1) : namesRaw).split(',').map((s) => s.trim()).filter(Boolean);
  const rest = codeOnly(text.slice(0, m.index) + text.slice(m.index + whole.length));
  const used = (name: string) => new RegExp(`(?<![\\w.])${name}(?!\\w)`).test(rest);
  let changed = 0;
  for (const [from, toRaw] of Object.entries(rule.replace)) {
    const to = fill(toRaw, params);
    const at = names.indexOf(from);
    if (at < 0 || from === to || !used(to)) continue;
    const has = names.includes(to);
    if (!used(from)) {
      if (has) names.splice(at, 1);
      else names[at] = to;
      changed++;
    } else if (!has) {
      names.splice(at + 1, 0, to);
      changed++;
    }
  }
  if (!changed) return { text, rewrites: 0 };
  const list = paren ? `(${names.join(', ')})` : names.join(', ');
  return { text: text.slice(0, m.index) + head + list + tail + text.slice(m.index + whole.length), rewrites: changed };
}
