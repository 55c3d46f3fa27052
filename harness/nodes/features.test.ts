import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeatureProbe } from './features.ts';

describe('parseFeatureProbe', () => {
  it('reads this kernel kind: no netem, the rest present', () => {
    const f = parseFeatureProbe(
      [
        'device ok eth0',
        'netem no Error: Specified qdisc kind is unknown.',
        'tbf ok',
        'htb ok',
        'iptables ok iptables v1.8.9 (nf_tables)',
        'statistic ok',
        'conntrack ok',
        'faketime ok /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
      ].join('\n'),
    );
    assert.equal(f.device, 'eth0');
    assert.equal(f.netem.available, false);
    assert.equal(f.netem.detail, 'Error: Specified qdisc kind is unknown.');
    assert.match(f.netem.unavailable, /delay/);
    assert.equal(f.tbf.available, true);
    assert.equal(f.tbf.unavailable, '');
    assert.equal(f.iptablesStatistic.available, true);
    assert.equal(f.faketime.detail, '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1');
  });

  it('treats "unknown" and anything not probed as unavailable, with the consequence', () => {
    const f = parseFeatureProbe('netem unknown a qdisc is already set on eth0\n');
    assert.equal(f.netem.available, false);
    assert.match(f.netem.detail, /already set/);
    assert.equal(f.iptables.available, false);
    assert.equal(f.iptables.detail, 'not probed');
    assert.match(f.iptables.unavailable, /partitions/);
  });
});
