// A Remote for unit tests: records every call and answers exec from a script, so the nemesis's command
// sequences can be checked without Docker. Not used outside tests.
import type { DaemonHandle, DaemonSpec, ExecResult, Remote } from '../../harness/nodes/remote.ts';

export type ExecAnswer = Partial<ExecResult>;

export class ScriptedRemote implements Remote {
  readonly name: string;
  readonly address: string;
  readonly calls: string[][] = [];
  readonly files = new Map<string, string>();
  readonly daemons: DaemonSpec[] = [];
  readonly signals: { name: string; signal: string }[] = [];
  private readonly answer: (argv: readonly string[]) => ExecAnswer;

  constructor(name: string, address: string, answer: (argv: readonly string[]) => ExecAnswer = () => ({})) {
    this.name = name;
    this.address = address;
    this.answer = answer;
  }

  exec(argv: readonly string[]): Promise<ExecResult> {
    this.calls.push([...argv]);
    // `cat` of a file written through writeFile shows it, as on a node.
    const written = argv[0] === 'cat' && argv[1] !== undefined ? this.files.get(argv[1]) : undefined;
    return Promise.resolve({
      exitCode: 0,
      signal: null,
      stdout: written ?? '',
      stderr: '',
      timedOut: false,
      ...this.answer(argv),
    });
  }
  upload(): Promise<void> {
    return Promise.resolve();
  }
  download(): Promise<void> {
    return Promise.resolve();
  }
  writeFile(path: string, content: string | Uint8Array): Promise<void> {
    this.calls.push(['<writeFile>', path, String(content)]);
    this.files.set(path, String(content));
    return Promise.resolve();
  }
  readFile(path: string): Promise<Buffer> {
    return Promise.resolve(Buffer.from(this.files.get(path) ?? ''));
  }
  startDaemon(spec: DaemonSpec): Promise<DaemonHandle> {
    this.daemons.push(spec);
    return Promise.resolve({ name: spec.name, pid: 42, pidFile: `/var/run/faultline/${spec.name}.pid`, logFile: '' });
  }
  signalDaemon(name: string, signal: NodeJS.Signals): Promise<boolean> {
    this.signals.push({ name, signal });
    return Promise.resolve(false);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** Calls whose argv starts with these words. */
  callsOf(...prefix: string[]): string[][] {
    return this.calls.filter((c) => prefix.every((p, i) => c[i] === p));
  }
}
