/**
 * graph: a dot graph of the dependencies between applied patches, as quilt's
 * `graph [--all] [--reduce] [--lines[=N]] [patch]` (its scripts/dependency-graph):
 *   - node n<i> per applied patch (i = position in applied-patches), label = its name;
 *   - an edge from each patch to the latest earlier patch that touches one of its files
 *     ("n<earlier> -> n<later>"), or with --lines=N only to the latest earlier patch whose
 *     changed lines (diffed with N lines of context) overlap its own;
 *   - without --all only the files of the selected (default: top) patch count, and the
 *     selected node is bold; nodes without edges are left out (quilt's default).
 * Output is quilt's byte for byte:
 *   digraph dependencies {
 *   \tn0 [label="a.patch"];
 *   \tn1 [style=bold,label="b.patch"];
 *   \tn0 -> n1 [len="1.39"];
 *   }
 * --reduce drops transitive edges in process (quilt pipes through graphviz's tred, which
 * also reformats the output; patchq keeps this layout).
 * quilt's range reader needs a count in every @@ header (`@@ -3 +3 @@` is skipped); here
 * a missing count means 1, as in the unified format.
 */
import { join } from 'node:path';
import { diffHunks } from '../../engine/index.js';
import { type Tree } from '../layout.js';
import { loadState } from '../session.js';
import { backedUpFiles, backupDir, readText } from '../state.js';
import { readTreeFile } from '../files.js';
import { appliedPatch } from './inspect.js';

export interface GraphOptions {
  all?: boolean;
  patch?: string;
  reduce?: boolean;
  /** --lines: context lines for the overlap check (quilt's default 2). */
  lines?: number;
  /** Where a patch name given is read from. */
  cwd?: string;
}

export interface GraphNode {
  id: number;
  name: string;
  selected: boolean;
}

export interface GraphEdge {
  /** Earlier patch (dependency). */
  from: number;
  /** Later patch, which depends on `from`. */
  to: number;
  files: string[];
}

export interface GraphResult {
  nodes: GraphNode[];
  edges: GraphEdge[];
  dot: string;
}

interface Node {
  id: number;
  name: string;
  files: Set<string>;
  /** [newSideRanges, oldSideRanges] per file, computed lazily for --lines. */
  ranges: Map<string, [number[], number[]]>;
}

export function dependencyGraph(tree: Tree, opts: GraphOptions = {}): GraphResult {
  const view = loadState(tree);
  const selected = opts.all ? null : appliedPatch(tree, view, opts.patch, opts.cwd);
  const nodes: Node[] = view.applied.map((name, id) => ({ id, name, files: new Set(backedUpFiles(tree, name)), ranges: new Map() }));
  const used = new Set<number>();
  if (selected !== null) {
    const sel = nodes.find((n) => n.name === selected)!;
    used.add(sel.id);
    for (const n of nodes) for (const f of [...n.files]) if (!sel.files.has(f)) n.files.delete(f);
  }
  const ctx = opts.lines;
  const rangesOf = (n: Node, file: string): [number[], number[]] => {
    let r = n.ranges.get(file);
    if (!r) {
      r = computeRanges(tree, nodes, n, file, ctx ?? 2);
      n.ranges.set(file, r);
    }
    return r;
  };
  const seen = new Map<string, number[]>();
  const edgeMap = new Map<string, GraphEdge>();
  for (const n of nodes) {
    for (const file of [...n.files].sort()) {
      const before = seen.get(file);
      if (before) {
        let dep: number | undefined;
        if (ctx !== undefined) {
          for (let i = before.length - 1; i >= 0; i--) {
            if (conflicts(rangesOf(n, file)[1], rangesOf(nodes[before[i]!]!, file)[0])) {
              dep = before[i];
              break;
            }
          }
        } else dep = before[before.length - 1];
        if (dep !== undefined) {
          const key = `${n.id}:${dep}`;
          const e = edgeMap.get(key) ?? { from: dep, to: n.id, files: [] };
          e.files.push(file);
          edgeMap.set(key, e);
          used.add(n.id).add(dep);
        }
      }
      seen.set(file, [...(before ?? []), n.id]);
    }
  }
  let edges = [...edgeMap.values()].sort((a, b) => a.to * 10000 + a.from - (b.to * 10000 + b.from));
  if (opts.reduce) edges = reduceEdges(edges);
  const shown = nodes.filter((n) => used.has(n.id));
  let dot = 'digraph dependencies {\n';
  for (const n of shown) {
    // quilt greys a node without edges (only the selected one can be shown without any).
    const alone = !edges.some((e) => e.from === n.id || e.to === n.id);
    const attrs = [...(n.name === selected ? ['style=bold'] : []), ...(alone ? ['color=grey'] : []), `label="${n.name}"`];
    dot += `\tn${n.id} [${attrs.join(',')}];\n`;
  }
  for (const e of edges) dot += `\tn${e.from} -> n${e.to} [len="${Math.log(Math.abs(e.to - e.from) + 3).toFixed(2)}"];\n`;
  dot += '}\n';
  return { nodes: shown.map((n) => ({ id: n.id, name: n.name, selected: n.name === selected })), edges, dot };
}

/** quilt's compute_ranges: the lines patch `n` changes in `file`, as [new side, old side] start/end pairs. */
function computeRanges(tree: Tree, nodes: Node[], n: Node, file: string, context: number): [number[], number[]] {
  const before = readText(join(backupDir(tree, n.name), file)) ?? '';
  // Every node still has the file when it touches it: selection only drops files the selected patch lacks.
  const next = nodes.slice(n.id + 1).find((m) => m.files.has(file));
  const after = (next ? readText(join(backupDir(tree, next.name), file)) : readTreeFile(tree, file)) ?? '';
  if (before === '' && after === '') return [[], []];
  const left: number[] = [];
  const right: number[] = [];
  for (const h of diffHunks(before, after, context)) {
    left.push(h.newStart, h.newStart + h.newCount);
    right.push(h.oldStart, h.oldStart + h.oldCount);
  }
  return [left, right];
}

/** quilt's is_a_conflict: do the later patch's old-side ranges meet the earlier one's new-side ranges? */
function conflicts(laterOld: number[], earlierNew: number[]): boolean {
  const a = [...laterOld];
  const b = [...earlierNew];
  while (a.length > 0 && b.length > 0) {
    if (a[0]! < b[0]!) {
      if (b.length % 2) return true;
      a.shift();
    } else if (a[0]! > b[0]!) {
      if (a.length % 2) return true;
      b.shift();
    } else {
      if (a.length % 2 === b.length % 2) return true;
      a.shift();
      b.shift();
    }
  }
  return false;
}

/** Transitive reduction of a DAG whose edges go from lower to higher ids. */
function reduceEdges(edges: GraphEdge[]): GraphEdge[] {
  const out = new Map<number, number[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const reachable = (from: number, to: number, skip: GraphEdge): boolean => {
    const stack = (out.get(from) ?? []).filter((t) => !(from === skip.from && t === skip.to));
    const seen = new Set<number>();
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (v === to) return true;
      if (seen.has(v) || v > to) continue;
      seen.add(v);
      stack.push(...(out.get(v) ?? []));
    }
    return false;
  };
  return edges.filter((e) => !reachable(e.from, e.to, e));
}
