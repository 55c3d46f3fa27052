// Formatting shared by the Node renderer and the browser code, so a duration reads the same everywhere.
import { profileCheckers } from '../../checkers/modelHierarchy.ts';
import type { Verdict } from '../../checkers/result.ts';

/** 0.42 ms, 12.3 ms, 4.56 s, 3 min 20 s, 1 h 02 min. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${String(Math.round(s - min * 60)).padStart(2, '0')} s`;
  const h = Math.floor(min / 60);
  return `${h} h ${String(min - h * 60).padStart(2, '0')} min`;
}

/** A time on the run's clock, ms since start: 12.345 s. */
export function formatRunTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/**
 * A time as seconds after the history's first op (node start-up and image builds before it are nobody's
 * business on a first screen): 0.042 s, 14.20 s.
 */
export function formatSinceFirstOp(ms: number, firstOpMs: number): string {
  const s = (ms - firstOpMs) / 1000;
  return `${s.toFixed(Math.abs(s) < 10 ? 3 : 2)} s`;
}

/**
 * The first sentence of an explanation, short enough for a first screen: up to the first full stop, or when that
 * is longer than `max`, up to the first clause break (": ", "; ", ", since ") within it, or cut with an ellipsis.
 */
export function headline(explanation: string, max = 240): string {
  const text = explanation.trim();
  // "e.g." and "i.e." end no sentence.
  const stop = /(?<!\b(?:e\.g|i\.e))[.!?](\s|$)/.exec(text);
  const first = stop === null ? text : text.slice(0, stop.index + 1);
  if (first.length <= max) return first;
  const clause = clauseBreak(first.slice(0, max));
  if (clause >= 20) return `${first.slice(0, clause)}…`;
  return `${first.slice(0, max - 1).trimEnd()}…`;
}

/** The first ": ", "; " or ", since " outside brackets ("T3 (process 0, ok op 6: …)" is not a clause), or -1. */
function clauseBreak(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (depth === 0 && i >= 20 && /^(: |; |, since )/.test(text.slice(i, i + 8))) return i;
  }
  return -1;
}

export function verdictWord(valid: Verdict): 'valid' | 'violated' | 'unknown' {
  return valid === true ? 'valid' : valid === false ? 'violated' : 'unknown';
}

// For checkers named otherwise (plugins, older results), the model's name places them.
const modelOrder: [RegExp, number][] = [
  [/strict|linearizab/i, 0],
  [/sequential/i, 1],
  [/\bccv\b|convergence/i, 2],
  [/\bcm\b|causal memory/i, 3],
  [/causal/i, 4],
  [/session/i, 5],
  [/monotonic[- ]?reads/i, 6],
  [/monotonic[- ]?writes/i, 7],
  [/read[- ]?your[- ]?writes/i, 8],
  [/writes[- ]?follow[- ]?reads/i, 9],
];

/** Orders checks strongest model first: linearizable, sequential, causal, then the session guarantees. */
export function modelRank(checker: string, model: string): number {
  const known = (profileCheckers as readonly string[]).indexOf(checker);
  if (known >= 0) return known;
  for (const [pattern, rank] of modelOrder) if (pattern.test(model) || pattern.test(checker)) return rank + 0.5;
  return profileCheckers.length;
}

const microOpNames = new Set(['r', 'w', 'append']);

/** A value inside a micro-op, as Elle prints it: lists space-separated in brackets, nil for null. */
function microValueText(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map(microValueText).join(' ')}]`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A transaction's micro-ops in words, `r x [1 2] · append y 3`, or null when the value is not a list of
 * `[f, key, value]` micro-ops (list-append's append and r, rw-register's w and r).
 */
export function microOpsText(value: unknown): string | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const parts: string[] = [];
  for (const m of value) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || !microOpNames.has(m[0])) return null;
    parts.push(`${m[0]} ${microValueText(m[1])} ${microValueText(m[2])}`);
  }
  return parts.join(' · ');
}
