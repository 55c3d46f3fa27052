// What the nemesis can use on a node: probed on the node itself (inside a container for docker), because the
// kernel config, the container's capabilities and the image's packages all decide it. One exec round trip.
import { execOrThrow } from './remote.ts';
import type { Remote } from './remote.ts';

export interface FeatureProbe {
  available: boolean;
  /** What was seen (an error message, a version). */
  detail: string;
  /** What the nemesis cannot do without it; empty when available. */
  unavailable: string;
}

export interface KernelFeatures {
  /** tc netem: delay, jitter, loss, duplication, reordering. */
  netem: FeatureProbe;
  /** tc tbf: bandwidth limits. */
  tbf: FeatureProbe;
  /** tc htb: per-destination rate classes. */
  htb: FeatureProbe;
  /** iptables: partitions. */
  iptables: FeatureProbe;
  /** iptables -m statistic: random packet loss without netem. */
  iptablesStatistic: FeatureProbe;
  /** iptables -m conntrack: dropping only new or established flows. */
  conntrack: FeatureProbe;
  /** libfaketime: per-process clock skew. */
  faketime: FeatureProbe;
  /** The network device the tc probes used. */
  device: string;
}

// Prints "name ok|no detail" lines. $1 is the node's address (to find its device). Every change it makes
// is undone before it ends: the qdiscs are deleted, the probe chain flushed and removed.
const PROBE = String.raw`
addr=$1
dev=$(ip -o -4 addr show 2>/dev/null | awk -v a="$addr" '{ split($4, p, "/"); if (p[1] == a) { print $2; exit } }')
[ -n "$dev" ] || dev=$(ip -o route show default 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i+1); exit } }')
[ -n "$dev" ] || dev=eth0
echo "device ok $dev"
# A qdisc a fault would set (rather than the device's default) means a fault is in progress: do not touch it.
have_root_qdisc() { tc qdisc show dev "$dev" 2>/dev/null | grep -Eq '^qdisc (netem|tbf|htb|prio|hfsc|red|sfq) [0-9a-f]*: root'; }
probe_qdisc() {
  kind=$1; shift
  if ! command -v tc >/dev/null 2>&1; then echo "$kind no tc not installed"; return; fi
  if have_root_qdisc; then echo "$kind unknown a qdisc is already set on $dev (a fault in progress?)"; return; fi
  if out=$(tc qdisc add dev "$dev" root "$@" 2>&1); then
    tc qdisc del dev "$dev" root >/dev/null 2>&1
    echo "$kind ok"
  else
    echo "$kind no $(echo "$out" | head -n 1)"
  fi
}
probe_qdisc netem netem delay 1ms
probe_qdisc tbf tbf rate 100mbit burst 64kb latency 400ms
probe_qdisc htb handle 1: htb
if ! command -v iptables >/dev/null 2>&1; then
  echo "iptables no iptables not installed"; echo "statistic no iptables not installed"; echo "conntrack no iptables not installed"
elif ! out=$(iptables -w 5 -N FAULTLINE-PROBE 2>&1); then
  out=$(echo "$out" | head -n 1)
  echo "iptables no $out"; echo "statistic no $out"; echo "conntrack no $out"
else
  echo "iptables ok $(iptables -V 2>/dev/null)"
  if out=$(iptables -w 5 -A FAULTLINE-PROBE -m statistic --mode random --probability 0.5 -j RETURN 2>&1); then echo "statistic ok"; else echo "statistic no $(echo "$out" | head -n 1)"; fi
  if out=$(iptables -w 5 -A FAULTLINE-PROBE -m conntrack --ctstate ESTABLISHED -j RETURN 2>&1); then echo "conntrack ok"; else echo "conntrack no $(echo "$out" | head -n 1)"; fi
  iptables -w 5 -F FAULTLINE-PROBE >/dev/null 2>&1; iptables -w 5 -X FAULTLINE-PROBE >/dev/null 2>&1
fi
lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
if [ -z "$lib" ]; then
  echo "faketime no libfaketime.so.1 not found"
else
  real=$(date +%s); fake=$(FAKETIME=+1d LD_PRELOAD="$lib" date +%s 2>/dev/null)
  if [ -n "$fake" ] && [ $((fake - real)) -ge 86000 ]; then echo "faketime ok $lib"; else echo "faketime no $lib did not change the clock"; fi
fi
`;

const CONSEQUENCE: Record<Exclude<keyof KernelFeatures, 'device'>, string> = {
  netem: 'no network delay, jitter, duplication or reordering faults; packet loss falls back to iptables statistic',
  tbf: 'no bandwidth-limit faults',
  htb: 'no per-peer rate limits',
  iptables: 'no partitions and no packet loss faults',
  iptablesStatistic: 'no packet loss faults without netem',
  conntrack: 'partitions also cut established connections (no flow-selective drops)',
  faketime: 'no clock-skew faults',
};

const KEYS: Record<string, Exclude<keyof KernelFeatures, 'device'>> = {
  netem: 'netem',
  tbf: 'tbf',
  htb: 'htb',
  iptables: 'iptables',
  statistic: 'iptablesStatistic',
  conntrack: 'conntrack',
  faketime: 'faketime',
};

/** Parses the probe script's output (exported for tests). */
export function parseFeatureProbe(output: string): KernelFeatures {
  const probe = (key: Exclude<keyof KernelFeatures, 'device'>): FeatureProbe => ({
    available: false,
    detail: 'not probed',
    unavailable: CONSEQUENCE[key],
  });
  const features: KernelFeatures = {
    netem: probe('netem'),
    tbf: probe('tbf'),
    htb: probe('htb'),
    iptables: probe('iptables'),
    iptablesStatistic: probe('iptablesStatistic'),
    conntrack: probe('conntrack'),
    faketime: probe('faketime'),
    device: 'eth0',
  };
  for (const line of output.split('\n')) {
    const match = /^(\S+) (ok|no|unknown)\s?(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, name = '', verdict, detail = ''] = match;
    if (name === 'device') {
      features.device = detail;
      continue;
    }
    const key = KEYS[name];
    if (key === undefined) continue;
    const available = verdict === 'ok';
    features[key] = { available, detail, unavailable: available ? '' : CONSEQUENCE[key] };
  }
  return features;
}

/**
 * Probes, on the node itself, which kernel and image features the nemesis can use. Run it on a node without
 * faults in progress (a root qdisc already set makes the tc probes answer "unknown"). Needs root or sudo on
 * ssh hosts and NET_ADMIN in containers (the docker backend gives it).
 */
export async function probeKernelFeatures(remote: Remote): Promise<KernelFeatures> {
  const out = await execOrThrow(remote, ['sh', '-c', PROBE, 'faultline-probe', remote.address], { timeoutMs: 30_000 });
  return parseFeatureProbe(out);
}
