// Checks a client adapter's completion at the seam (Jepsen's client/Validate): it must be ok, fail or info,
// fail and info must say why. The pool records an invalid completion as info, so the history stays sound.

/** The problems with a completion, empty when it is valid. */
export function validateCompletion(c: unknown): string[] {
  if (typeof c !== 'object' || c === null) return [`expected {type: 'ok'|'fail'|'info', ...}, got ${String(c)}`];
  const { type, error } = c as { type?: unknown; error?: unknown };
  if (type !== 'ok' && type !== 'fail' && type !== 'info')
    return [`type must be 'ok', 'fail' or 'info', not ${JSON.stringify(type)}`];
  const problems: string[] = [];
  if (type === 'ok' && !('value' in c)) problems.push('an ok completion needs a value (null when there is none)');
  if (type !== 'ok' && typeof error !== 'string') problems.push(`a ${type} completion needs an error string`);
  return problems;
}
