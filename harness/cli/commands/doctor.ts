// `faultline doctor`: is this machine ready? The engine (version, storage driver), the node image, and the
// kernel features the nemesis needs, probed inside a throwaway node: each missing one with what it costs.
import { randomBytes } from 'node:crypto';
import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { createDockerCluster } from '../../nodes/cluster.ts';
import { connectEngine, engineAddress } from '../../nodes/dockerEngine.ts';
import { probeKernelFeatures } from '../../nodes/features.ts';
import type { KernelFeatures } from '../../nodes/features.ts';
import { currentNodeImage, ensureNodeImage } from '../../nodes/nodeImage.ts';

const ok = pc.green('ok  ');
const no = pc.red('no  ');
const warn = pc.yellow('warn');

export function featureLines(features: KernelFeatures): string[] {
  const rows: [string, keyof Omit<KernelFeatures, 'device'>][] = [
    ['tc netem', 'netem'],
    ['tc tbf', 'tbf'],
    ['tc htb', 'htb'],
    ['iptables', 'iptables'],
    ['iptables statistic', 'iptablesStatistic'],
    ['iptables conntrack', 'conntrack'],
    ['faketime', 'faketime'],
  ];
  return rows.map(([label, key]) => {
    const f = features[key];
    const detail = f.detail ? pc.dim(` (${f.detail})`) : '';
    return f.available
      ? `  ${ok} ${label}${detail}`
      : `  ${no} ${label}${detail}\n        unavailable: ${f.unavailable}`;
  });
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Report the Docker engine, the node image and the kernel features the nemesis needs')
    .option('--build', 'build the node image if it is missing (then probe the kernel features in it)')
    .action(async (opts) => {
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      const docker = await connectEngine();
      const [version, info] = await Promise.all([
        docker.version(),
        docker.info() as Promise<{ Driver?: string; KernelVersion?: string }>,
      ]);
      out(pc.bold('engine'));
      out(
        `  ${ok} Docker ${version.Version} (API ${version.ApiVersion}) at ${engineAddress()}, kernel ${info.KernelVersion ?? version.KernelVersion}`,
      );
      const driver = info.Driver ?? 'unknown';
      out(
        driver === 'overlay2'
          ? `  ${ok} storage driver ${driver}`
          : `  ${warn} storage driver ${driver}: containers start much slower than with overlay2 (restart dockerd with --storage-driver=overlay2)`,
      );

      out(pc.bold('node image'));
      let image = (await currentNodeImage()).tag;
      const { base, basePresent } = await currentNodeImage();
      if (image === undefined && opts.build === true) {
        image = await ensureNodeImage({ onProgress: (l) => process.stderr.write(`${pc.dim(l)}\n`) });
      }
      if (image !== undefined) out(`  ${ok} ${image} (base ${base})`);
      else
        out(
          `  ${no} not built for the current docker/node files (base ${base}${basePresent ? '' : ', not present either'}); ` +
            'the first run builds it (about a minute), or run: faultline doctor --build',
        );

      out(pc.bold('kernel features') + pc.dim(' (probed inside a node container)'));
      if (image === undefined) {
        out(`  ${warn} not probed: needs the node image (faultline doctor --build)`);
        return;
      }
      const cluster = await createDockerCluster({ runId: `doctor-${randomBytes(3).toString('hex')}`, nodes: 1, image });
      try {
        const features = await probeKernelFeatures(cluster.nodes[0]!);
        for (const line of featureLines(features)) out(line);
      } finally {
        await cluster.destroy();
      }
      out(pc.dim('Clocks: containers share the host clock; clock faults use libfaketime per process (never date -s).'));
    });
}
