// Checks a client adapter's completion at the seam (Jepsen's client/Validate): it must be ok, fail or info,
// fail and info must say why. The pool records an invalid completion as info, so the history stays sound.

/** The problems with a completion, empty when it is valid. */
export function validateCompletion(c: unknown): string[] {
  if (typeof c !== 'object' || c === null) return [`expected {type: 'ok'|'fail'|'info', ...}, got ${String(c)}`];
  const { type, error, servedBy } = c as { type?: unknown; error?: unknown; servedBy?: unknown };
  if (type !== 'ok' && type !== 'fail' && type !== 'info')
    return [`type must be 'ok', 'fail' or 'info', not ${JSON.stringify(type)}`];
  const problems: string[] = [];
  if (type === 'ok' && !('value' in c)) problems.push('an ok completion needs a value (null when there is none)');
  if (type !== 'ok' && typeof error !== 'string') problems.push(`a ${type} completion needs an error string`);
  if (servedBy !== undefined && typeof servedBy !== 'string')
    problems.push(`servedBy must be a node's name (a string), not ${typeof servedBy}`);
  return problems;
}

/**
 * Why a completion cannot be stored in the history, or undefined when it can. A value JSON cannot hold (a
 * BigInt, a circular object, a throwing toJSON or getter) is a bug in the plug-in, not an outcome of the
 * system: the run stops as a harness error rather than record something other than what the adapter said.
 */
export function unstorableReason(c: unknown): string | undefined {
  try {
    if (typeof c !== 'object' || c === null) return undefined;
    // Reads every field the pool will read, so a throwing getter is caught here, once.
    const { type, value, error, servedBy } = c as {
      type?: unknown;
      value?: unknown;
      error?: unknown;
      servedBy?: unknown;
    };
    if (typeof servedBy === 'object' && servedBy !== null) JSON.stringify(servedBy);
    if (typeof type === 'bigint') return 'its type is a BigInt';
    if (typeof value === 'bigint') return 'its value is a BigInt, which JSON cannot hold';
    if (typeof value === 'object' && value !== null) JSON.stringify(value);
    if (typeof error === 'bigint' || (typeof error === 'object' && error !== null)) JSON.stringify(error);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
