// The cycle or bad pattern behind an anomaly as a small graph of ops, for the report to draw (Anomaly.detail
// = { graph }). Plain JSON so it survives results.json; only edges a checker actually derived go in.
import type { Value } from './history.ts';

/** One derived relation between two ops, e.g. po, rf, co, ww, hb, or a session guarantee's "must precede". */
export type AnomalyGraphEdge = { from: number; to: number; relation: string };

/** Nodes are Operation ids, in the order the anomaly names them. */
export type AnomalyGraph = { nodes: number[]; edges: AnomalyGraphEdge[] };

/**
 * Collects edges (between Operation ids) and builds `{ graph }` for Anomaly.detail. Duplicate edges (same
 * ends and relation) and self-loops are dropped; nodes are every edge end, in first-seen order.
 */
export class AnomalyGraphBuilder {
  private readonly nodes: number[] = [];
  private readonly edges: AnomalyGraphEdge[] = [];
  private readonly seen = new Set<string>();

  node(id: number): this {
    if (!this.nodes.includes(id)) this.nodes.push(id);
    return this;
  }

  edge(from: number, to: number, relation: string): this {
    const k = `${from} ${to} ${relation}`;
    if (from === to || this.seen.has(k)) return this;
    this.seen.add(k);
    this.node(from).node(to);
    this.edges.push({ from, to, relation });
    return this;
  }

  get size(): number {
    return this.edges.length;
  }

  detail(): { graph: AnomalyGraph } {
    return { graph: { nodes: [...this.nodes], edges: this.edges.map((e) => ({ ...e })) } };
  }
}

/** A graph from `detail`, or null when it has none of the documented shape (the report never trusts it blindly). */
export function readAnomalyGraph(detail: Value | undefined): AnomalyGraph | null {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return null;
  const graph = detail['graph'];
  if (graph === null || typeof graph !== 'object' || Array.isArray(graph) || graph === undefined) return null;
  const nodes = graph['nodes'];
  const edges = graph['edges'];
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return null;
  const out: AnomalyGraph = { nodes: [], edges: [] };
  for (const n of nodes) if (Number.isInteger(n)) out.nodes.push(n as number);
  for (const e of edges) {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) continue;
    const { from, to, relation } = e;
    if (Number.isInteger(from) && Number.isInteger(to) && typeof relation === 'string')
      out.edges.push({ from: from as number, to: to as number, relation });
  }
  return out.nodes.length === 0 ? null : out;
}
