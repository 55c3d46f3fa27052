// One file, over 400 lines: the run is one task list, and its tasks' setups and teardowns share the run's state
// (nodes, system, faults, clients) through one closure, which splitting would turn into a threaded context.
// One run of a campaign, as a list of tasks whose teardowns are registered before their setups:
//   history → nodes → node logs → system → ready → faults → clients → phases
// so teardown, newest first, always: heals faults, closes clients, stops the system, collects node logs,
// takes the nodes down (unless --keep-nodes) and closes the history, on success, error and Ctrl-C alike.
// The history is checked after teardown, read back from disk, exactly as `faultline check` would.
import { dirname, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { readHistoryJsonl } from '../history/jsonl.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { pairOperations } from '../../checkers/history.ts';
import type { RunResults } from '../../results/runResults.ts';
import type { LoadedCampaign } from '../campaign/loadCampaign.ts';
import { durationMs, safeNodeName } from '../campaign/campaignSchema.ts';
import { exitCodeForRun } from '../errors.ts';
import { interruptedReason, notCheckedAnalysis } from '../../checkers/index.ts';
import { HistoryTooLargeError } from '../history/readChunks.ts';
import type { ClientContext, ClusterContext, NodeContext, SystemDefinition } from '../plugin.ts';
import { runIdOf } from '../../results/runDirectory.ts';
import { createRunDir, HarnessLog, runFiles, writeJsonAtomic } from '../store/runStore.ts';
import { getWorkload } from '../workloads/index.ts';
import { collectNodeLogs } from './collectNodeLogs.ts';
import { createFaultDriver } from './createFaultDriver.ts';
import type { FaultDriver } from './faultDriver.ts';
import { provisionNodes, removeLeftovers, type ProvisionedNodes } from './provisionNodes.ts';
import { checkSystemServesWorkload, resolveSystem } from './resolveSystem.ts';
import { sshHostConfigs, writeSshHosts } from './sshHosts.ts';
import type { AnalysisProgress } from '../../checkers/analyze.ts';
import type { CheckBudgets } from './runChecks.ts';
import { analyzeRun, checkBudgets } from './runChecks.ts';
import { campaignCheckerNames } from '../campaign/checkerNames.ts';
import { runPhases } from './runPhases.ts';
import { silentReporter, type RunReporter, type StatusSnapshot } from './statusLine.ts';
import { TaskRunner, type TaskError, type RunStatus } from './taskRunner.ts';
import { RunFailures } from './runFailures.ts';
import { holdRunLock } from '../nodes/runLock.ts';
import { ClientPool } from '../clients/clientPool.ts';
import { withNetworkFigures } from '../../results/messageLog.ts';
import { waitClusterReady, waitReady, onEveryNode, withHookTimeouts } from './systemLifecycle.ts';

export interface RunCampaignOptions {
  loaded: LoadedCampaign;
  storeDir: string;
  /** Overrides the campaign's seed (e.g. --seed to reproduce a run). */
  seed?: number;
  keepNodes?: boolean;
  reporter?: RunReporter;
  /** Resolves on the first Ctrl-C. */
  interrupted?: Promise<void>;
  /** Called once the run directory exists, before any node: what a forced exit would leave behind. */
  onStart?(run: { runDir: string; runId: string; backend: string }): void;
  /** Per-teardown budget; default 60 s. */
  teardownTimeoutMs?: number;
  /** Check budgets from the command line: each overrides the campaign's `checking` one. */
  checkBudgets?: CheckBudgets;
  /** Called as each checker starts and ends (a live progress line). */
  onCheckProgress?: (progress: AnalysisProgress) => void;
}

export interface RunOutcome {
  runDir: string;
  results: RunResults;
  status: RunStatus;
  errors: TaskError[];
  softErrors: TaskError[];
  exitCode: number;
}

/** What the tasks share as the run proceeds. */
interface RunContext {
  recorder?: HistoryRecorder;
  nodes?: ProvisionedNodes;
  system?: SystemDefinition;
  systemOptions: Record<string, unknown>;
  clockEnv: Record<string, string>;
  faults?: FaultDriver;
  pool?: ClientPool;
  phase: string;
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

export async function runCampaign(options: RunCampaignOptions): Promise<RunOutcome> {
  const { campaign, source, file } = options.loaded;
  const given = options.reporter ?? silentReporter;
  // The last status the phases sent, so the status line can say 'checking' (with the final counts) once they end.
  let lastStatus: StatusSnapshot | undefined;
  const reporter: RunReporter = {
    line: (message) => {
      given.line(message);
    },
    status: (snapshot) => {
      lastStatus = snapshot;
      given.status(snapshot);
    },
    end: () => {
      given.end();
    },
  };
  const seed = options.seed ?? campaign.seed ?? randomSeed();
  const systemSpec = typeof campaign.system === 'string' ? { name: campaign.system, options: {} } : campaign.system;
  // Before the run folder and any node: a missing, broken or throwing module is the campaign's mistake (64).
  const system = withHookTimeouts(
    await resolveSystem(systemSpec.name, file, options.loaded.systemAt),
    durationMs(campaign.hookTimeout),
  );
  checkSystemServesWorkload(system, campaign.workload.name, file, options.loaded.workloadAt);
  const startedAt = new Date();
  const runDir = createRunDir(options.storeDir, campaign.name, startedAt);
  const runId = runIdOf(runDir);
  writeFileSync(`${runDir}/${runFiles.campaign}`, source);
  writeFileSync(`${runDir}/${runFiles.campaignSource}`, `${resolve(file)}\n`);
  writeFileSync(`${runDir}/${runFiles.seed}`, `${seed}\n`);
  const log = new HarnessLog(`${runDir}/${runFiles.harnessLog}`);
  const say = (message: string): void => {
    log.write(message);
    reporter.line(message);
  };
  say(`run ${runDir} (seed ${seed})`);
  // Held while this process lives: how `faultline clean` tells this run from one whose harness died.
  const lock = await holdRunLock(runId).catch((e: unknown) => {
    say(`warning: no liveness lock for this run (${errorText(e)}): \`faultline clean\` may take it for a dead one`);
    return undefined;
  });
  options.onStart?.({ runDir, runId, backend: campaign.nodes.backend });
  const workload = getWorkload(campaign.workload.name)!;
  const ctx: RunContext = { systemOptions: { ...systemSpec.options }, clockEnv: {}, phase: 'setup' };
  const keep = options.keepNodes === true;
  const hookTimeoutMs = durationMs(campaign.hookTimeout);
  // Stored before connecting, so `faultline clean --heal --run` finds the hosts even if this process dies.
  const sshHosts = campaign.nodes.backend === 'ssh' ? sshHostConfigs(campaign.nodes, file) : undefined;
  if (sshHosts !== undefined) writeSshHosts(runDir, sshHosts);

  const nodeContext = (node: ProvisionedNodes['remotes'][number]): NodeContext => ({
    node,
    nodes: ctx.nodes!.infos,
    options: ctx.systemOptions,
    clockEnv: ctx.clockEnv,
    dataDir: `/var/lib/faultline/${ctx.system!.name}`,
    campaignDir: dirname(resolve(file)),
    log: (m) => {
      log.write(`[${node.name}] ${m}`);
    },
  });

  const clusterContext = (): ClusterContext => ({
    nodes: ctx.nodes!.remotes,
    options: ctx.systemOptions,
    log: (m) => {
      log.write(`[cluster] ${m}`);
    },
  });

  const failures = new RunFailures();
  let interruptedNow = false;
  void options.interrupted?.then(() => (interruptedNow = true));
  const runner = new TaskRunner<RunContext>({
    ...(options.interrupted !== undefined && { interrupted: options.interrupted }),
    failed: failures.first,
    // A teardown may stop, then kill, each under the hook timeout: its budget covers both.
    teardownTimeoutMs: options.teardownTimeoutMs ?? Math.max(60_000, 2 * hookTimeoutMs + 5_000),
    onTaskStart: (title, phase) => {
      log.write(`${phase}: ${title}`);
    },
  });
  runner
    .addTask({
      title: 'open the history',
      setup: (c) => {
        c.recorder = new HistoryRecorder(`${runDir}/${runFiles.history}`);
        c.recorder.onFailure((e) => {
          failures.report(e);
        });
        return Promise.resolve();
      },
      teardown: (c) => {
        c.recorder?.close();
        return Promise.resolve();
      },
    })
    .addTask({
      title: 'load the system',
      setup: (c) => {
        c.system = system;
        return Promise.resolve();
      },
    })
    .addTask({
      title: `provision ${campaign.nodes.backend} nodes`,
      setup: async (c, signal) => {
        say(`provisioning ${campaign.nodes.backend} nodes`);
        c.nodes = await provisionNodes(campaign.nodes, {
          runId,
          ...(sshHosts !== undefined && { sshHosts }),
          log: (m) => {
            log.write(m);
          },
          warn: say,
          // Its image (docker) or its packages (ssh); a build's steps are shown as they go.
          system: { name: c.system!.name, ...(c.system!.image !== undefined && { image: c.system!.image }) },
          progress: say,
          signal,
        });
        // Node names become paths (logs/<node>/): whatever the backend, none may leave the run directory.
        const unsafe = c.nodes.infos.filter((n) => !safeNodeName.test(n.name));
        if (unsafe.length > 0)
          throw new Error(
            `unsafe node names ${unsafe.map((n) => JSON.stringify(n.name)).join(', ')}: letters, digits, - and _ only`,
          );
        Object.assign(c.systemOptions, c.nodes.extraOptions);
        say(`nodes: ${c.nodes.infos.map((n) => `${n.name} ${n.address}`).join(', ')}`);
      },
      teardown: async (c) => {
        if (c.nodes === undefined) return removeLeftovers(campaign.nodes.backend, runId);
        if (keep) {
          say(`keeping the nodes (--keep-nodes): remove them with \`faultline clean\``);
          return c.nodes.release();
        }
        await c.nodes.destroy();
      },
    })
    .addTask({
      title: 'collect node logs',
      teardown: async (c) => {
        if (c.nodes === undefined || c.system === undefined) return;
        const problems = await collectNodeLogs(c.nodes.remotes, c.system, nodeContext, `${runDir}/${runFiles.logs}`);
        for (const p of problems) log.write(`log collection: ${p}`);
      },
    })
    .addTask({
      title: 'faults (heal before and after)',
      setup: async (c) => {
        c.faults = await createFaultDriver({
          campaign,
          seed,
          nodes: c.nodes!,
          system: c.system!,
          nodeContext,
          record: (op) => c.recorder!.record(op),
          log: say,
        });
        c.clockEnv = c.faults.clockEnv ?? {};
        for (const u of c.faults.unavailable) say(`fault unavailable: ${u.fault}: ${u.reason}`);
        await c.faults.healAll();
      },
      teardown: async (c) => {
        if (c.faults === undefined) return;
        say('healing all faults');
        await c.faults.healAll();
      },
    })
    .addTask({
      title: 'install and start the system',
      setup: async (c) => {
        const system = c.system!;
        say(`installing and starting ${system.name} on ${c.nodes!.infos.length} nodes`);
        if (system.install !== undefined) await onEveryNode(c.nodes!.remotes, (n) => system.install!(nodeContext(n)));
        await onEveryNode(c.nodes!.remotes, (n) => system.start(nodeContext(n)));
        await waitReady(system, c.nodes!.remotes, nodeContext, 60_000);
        if (system.clusterReady !== undefined) {
          say(`every node is ready; waiting for ${system.name}'s clusterReady`);
          await waitClusterReady(system, clusterContext(), 60_000);
        }
        say(`${system.name} is ready`);
      },
      teardown: async (c) => {
        if (keep || c.system === undefined || c.nodes === undefined) return;
        const system = c.system;
        await onEveryNode(c.nodes.remotes, async (n) => {
          try {
            await system.stop(nodeContext(n));
          } catch (e) {
            log.write(`stop on ${n.name} failed (${e instanceof Error ? e.message : String(e)}); killing`);
            await system.kill(nodeContext(n));
          }
        });
      },
    })
    .addTask({
      title: 'run the workload',
      setup: async (c, signal) => {
        const system = c.system!;
        c.pool = new ClientPool({
          concurrency: campaign.clients.concurrency,
          nodes: c.nodes!.infos,
          openClient: (node): ReturnType<SystemDefinition['client']> => {
            const clientContext: ClientContext = {
              node,
              nodes: c.nodes!.infos,
              options: c.systemOptions,
              workload: { name: workload.name, model: workload.model },
            };
            return system.client(clientContext);
          },
          record: (op) => c.recorder!.record(op),
          checkCompletion: workload.checkCompletion,
          timeoutMs: durationMs(campaign.clients.timeout),
          hookTimeoutMs,
          systemName: system.name,
          ...(campaign.clients.rate !== undefined && { rate: campaign.clients.rate }),
          log: (m) => {
            log.write(m);
          },
          warn: (m) => {
            reporter.line(`warning: ${m}`);
          },
        });
        await runPhases({
          campaign,
          workload,
          seed,
          pool: c.pool,
          faults: c.faults!,
          recorder: c.recorder!,
          signal,
          onPhase: (phase) => {
            c.phase = phase;
            say(`phase: ${phase}`);
          },
          reporter,
        });
      },
      teardown: async (c) => c.pool?.close(),
    });

  // Watched until the results are written: a plug-in's stray timer may still fire while checking.
  const unwatch = failures.watchProcess();
  let run: Awaited<ReturnType<typeof runner.run>>;
  try {
    run = await runner.run(ctx);
  } catch (e) {
    unwatch();
    throw e;
  }
  const failuresSeen = new Set(run.errors.map((e) => e.error));
  /** Failures that came during teardown (or checking), or after the setup they stopped had failed another way. */
  const takeLateFailures = (where: string): void => {
    for (const f of failures.all) {
      if (failuresSeen.has(f)) continue;
      failuresSeen.add(f);
      run.errors.push({ task: where, phase: 'teardown', error: f });
      if (where === 'checking') say(`error in ${where}: ${errorText(f)}`);
    }
    if (failures.all.length > 0 && run.status === 'passed') run.status = 'failed';
  };
  takeLateFailures('teardown');
  if (lastStatus !== undefined) reporter.status({ ...lastStatus, phase: 'checking', activeFaults: [] });
  reporter.end();
  for (const e of run.errors) say(`error in ${e.task}: ${errorText(e.error)}`);
  for (const e of run.softErrors) say(`warning: teardown "${e.task}" failed: ${errorText(e.error)}`);
  if (run.status === 'interrupted') say('interrupted: faults healed and nodes torn down; checking what was recorded');

  // Analysis after teardown, on the history as stored.
  let history: ReturnType<typeof readHistoryJsonl>['ops'] = [];
  // A history too large to hold is kept whole on disk; its verdicts are unknown, and the run did not fail.
  let tooLarge: string | undefined;
  try {
    history = readHistoryJsonl(`${runDir}/${runFiles.history}`).ops;
  } catch (e) {
    if (e instanceof HistoryTooLargeError) {
      tooLarge = `not checked: ${e.reason}`;
    } else {
      run.errors.push({ task: 'read the history back', phase: 'teardown', error: e });
      if (run.status === 'passed') run.status = 'failed';
    }
  }
  const operations = pairOperations(history);
  const checkerNames = campaignCheckerNames(campaign);
  if (tooLarge === undefined)
    say(`checking ${operations.length} operations: ${checkerNames.join(', ') || '(no checkers)'}`);
  // An empty history (the run failed before traffic), or no checker, is `unknown`, never "valid". A Ctrl-C while
  // checking stops the analysis: the checkers it stopped or never ran are unknown, marked unchecked. A Ctrl-C that
  // came before checking stopped the phases only: what was recorded is still checked.
  const stopChecks = new AbortController();
  if (!interruptedNow)
    void options.interrupted?.then(() => {
      stopChecks.abort();
    });
  const budgets = checkBudgets(campaign.checking, options.checkBudgets);
  const { analysis, model } =
    tooLarge === undefined
      ? await analyzeRun(operations, checkerNames, {
          ...budgets,
          signal: stopChecks.signal,
          ...(options.onCheckProgress !== undefined && { onProgress: options.onCheckProgress }),
        })
      : { analysis: notCheckedAnalysis(checkerNames, tooLarge), model: undefined };
  const checks = analysis.results;
  if (analysis.reason !== undefined) say(`unknown: ${analysis.reason}`);
  const unchecked = checks.filter((c) => c.reason === interruptedReason);
  if (unchecked.length > 0) {
    say(
      `interrupted while checking: ${unchecked.map((c) => c.checker).join(', ')} left unchecked (verdict unknown); ` +
        `check again with: faultline check ${runDir}`,
    );
    if (run.status === 'passed') run.status = 'interrupted';
  }
  takeLateFailures('checking');
  unwatch();
  const opCounts = { ok: 0, fail: 0, info: 0 };
  for (const op of operations) opCounts[op.status]++;
  const results: RunResults = {
    campaign: campaign.name,
    system: ctx.system?.name ?? systemSpec.name,
    ...(ctx.system?.guarantees !== undefined && { guarantees: [...ctx.system.guarantees] }),
    nodes: ctx.nodes?.infos.map((n) => n.name) ?? [],
    seed,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    faults: {
      applied: [...(ctx.faults?.applied ?? [])],
      unavailable: [...(ctx.faults?.unavailable ?? [])],
      ...(ctx.faults?.colors !== undefined && { colors: { ...ctx.faults.colors } }),
    },
    opCounts,
    wrongShape: {
      count: ctx.pool?.counts.wrongShape ?? 0,
      ...(ctx.pool?.counts.firstWrongShape !== undefined && { first: ctx.pool.counts.firstWrongShape }),
    },
    checks,
    verdict: { valid: analysis.valid, ...(analysis.reason !== undefined && { reason: analysis.reason }) },
    ...(ctx.recorder !== undefined && { historyOriginEpochMs: ctx.recorder.originEpochMs }),
    // A system that is its own network logged its messages: Maelstrom's figures (stable latency for a set).
    ...withNetworkFigures(
      runDir,
      ctx.nodes?.infos.map((n) => n.name) ?? [],
      history,
      workload.name === 'set' ? operations : undefined,
    ),
  };
  writeJsonAtomic(`${runDir}/${runFiles.results}`, {
    ...results,
    // Beyond RunResults: what `faultline check` needs to redo the analysis, and how the harness fared.
    workload: { name: workload.name, model: workload.model },
    checkers: checkerNames,
    model,
    // The budgets given (campaign or command line); absent: the analysis' defaults applied.
    ...(Object.keys(budgets).length > 0 && { budgets }),
    harness: {
      status: run.status,
      errors: run.errors.map((e) => `${e.task}: ${errorText(e.error)}`),
      softErrors: run.softErrors.map((e) => `${e.task}: ${errorText(e.error)}`),
    },
  });
  const verdict = analysis.valid;
  const exitCode = exitCodeForRun(run.status, analysis.exitCode);
  log.write(`done: status ${run.status}, verdict ${String(verdict)}, exit ${exitCode}`);
  await lock?.release();
  return { runDir, results, status: run.status, errors: run.errors, softErrors: run.softErrors, exitCode };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
