// The kv model's guess of the next op (search.nextOp), read from the values its reads returned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Operation, Value } from '../history.ts';
import { modelOpOf } from './model.ts';
import type { Model } from './model.ts';
import { kvModel } from './kv.ts';

function op(id: number, f: string, input: Value, output: Value = input): Operation {
  return {
    id,
    process: id,
    f,
    key: 'k',
    input,
    output,
    status: 'ok',
    call: id,
    ret: id + 0.5,
    invokeIndex: 2 * id,
    completeIndex: 2 * id + 1,
  };
}

/** The state after applying `ops` in order from the initial one. */
function stateAfter(model: Model<number>, ops: readonly Operation[]): number {
  let s = model.init();
  for (const o of ops) s = model.step(s, modelOpOf(o))[0]!;
  return s;
}

test('after a put the guess is the append the longest read shows next, and so on along the read', () => {
  const model = kvModel({ initial: '' }) as Model<number>;
  const ops = [
    op(0, 'put', 'x0y'),
    op(1, 'append', 'x1y'),
    op(2, 'append', 'x2y'),
    op(3, 'get', null, 'x0yx1y'),
    op(4, 'get', null, 'x0yx1yx2y'),
    op(5, 'append', 'x3y'),
  ];
  const guess = model.search!.nextOp!(ops);
  assert.equal(guess.after(stateAfter(model, [ops[0]!])), 1);
  assert.equal(guess.after(stateAfter(model, [ops[0]!, ops[1]!])), 2);
  // Nothing read shows what followed x2y, nor the initial value.
  assert.equal(guess.after(stateAfter(model, [ops[0]!, ops[1]!, ops[2]!])), -1);
  assert.equal(guess.after(model.init()), -1);
});

test('from the initial value (empty string or nil) the guess is the first append the reads show', () => {
  for (const initial of ['', null]) {
    const model = kvModel({ initial }) as Model<number>;
    const ops = [op(0, 'append', 'a'), op(1, 'append', 'b'), op(2, 'get', null, 'ba')];
    const guess = model.search!.nextOp!(ops);
    assert.equal(guess.after(model.init()), 1, `initial ${JSON.stringify(initial)}`);
    assert.equal(guess.after(stateAfter(model, [ops[1]!])), 0, `initial ${JSON.stringify(initial)}`);
  }
});

test('a read no split explains gives no guess, and is no error', () => {
  const model = kvModel({ initial: '' }) as Model<number>;
  const ops = [op(0, 'append', 'a'), op(1, 'get', null, 'zz'), op(2, 'get', null, 7)];
  const guess = model.search!.nextOp!(ops);
  assert.equal(guess.after(model.init()), -1);
});
