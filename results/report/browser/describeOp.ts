// Op descriptions for tooltips, labels and the detail panel.
import type { Value } from '../../../checkers/history.ts';
import { formatDuration, formatRunTime, microOpsText } from '../format.ts';
import type { ReportData } from '../model.ts';

export const statusNames = ['ok', 'fail', 'info'] as const;

/** A value in words, cut at `max` chars: a transaction's micro-ops as `r x [1 2] · append y 3`. */
export function valueText(value: Value | undefined, max = 120): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : (microOpsText(value) ?? JSON.stringify(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** write(3), read → 3, cas([1,2]) → ok; a transaction as its micro-ops, with what its reads returned when ok. */
export function opLabel(data: ReportData, id: number, max = 40): string {
  const f = data.fNames[data.ops.f[id] ?? 0] ?? '?';
  const input = data.ops.input[id];
  const status = data.ops.status[id];
  const output = data.ops.output[id];
  const micro = microOpsText(status === 0 && output !== null ? output : input);
  if (micro !== null) {
    const text = micro.length > max ? `${micro.slice(0, max - 1)}…` : micro;
    return status === 0 ? text : `${text} ${statusNames[status ?? 2]}`;
  }
  const inText = input === null || input === undefined ? '' : valueText(input, max);
  const call = `${f}(${inText})`;
  if (status !== 0) return `${call} ${statusNames[status ?? 2]}`;
  if (output === null || output === undefined || JSON.stringify(output) === JSON.stringify(input)) return call;
  return `${call} → ${valueText(output, max)}`;
}

export function opDetails(data: ReportData, id: number): string {
  const { ops } = data;
  const call = ops.call[id] ?? 0;
  const ret = ops.ret[id] ?? -1;
  const status = statusNames[ops.status[id] ?? 2];
  const keyIndex = ops.key[id] ?? -1;
  const nodeIndex = ops.node[id] ?? -1;
  const lines = [
    `op #${id} · process ${ops.process[id]} · ${data.fNames[ops.f[id] ?? 0]}${keyIndex >= 0 ? ` · key ${data.keys[keyIndex]}` : ''} · ${status}`,
    `input:  ${valueText(ops.input[id], 400)}`,
  ];
  if (status === 'ok') lines.push(`output: ${valueText(ops.output[id], 400)}`);
  lines.push(
    `invoked ${formatRunTime(call)}` +
      (ret < 0
        ? ' · never completed'
        : status === 'info'
          ? ` · gave up at ${formatRunTime(ret)} (may have taken effect any time after the invoke)`
          : ` · completed ${formatRunTime(ret)} · latency ${formatDuration(ret - call)}`),
  );
  if (nodeIndex >= 0) lines.push(`node: ${data.nodeNames[nodeIndex]}`);
  const error = ops.error[id];
  if (error !== null && error !== undefined) lines.push(`error: ${error}`);
  lines.push(`history index ${ops.invokeIndex[id]}`);
  return lines.join('\n');
}
