import { type ChildProcess, spawn } from 'node:child_process';

/** Options of {@link startService}. */
export interface StartServiceOptions {
  /** The example's folder (where its node_modules are). */
  cwd: string;
  /** The program, relative to `cwd`. @defaultValue 'src/server.ts' */
  entry?: string;
  /** Loaded with `--import` before the program. @defaultValue './src/instrumentation.ts' */
  instrumentation?: string;
  /** Added to the environment (PORT=0 and HOST=127.0.0.1 are set unless given). */
  env?: NodeJS.ProcessEnv;
  /** How long startup may take. @defaultValue 30000 */
  timeoutMs?: number;
  /** Called with each line the service prints on stderr once it listens. */
  onStderrLine?: (line: string) => void;
}

/** A service running in a child process. */
export interface ServiceProcess {
  /** Its base URL, read from the `… listening on http://host:port` line it prints. */
  url: string;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** SIGTERM (it flushes its summaries and exits), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/**
 * Starts an example the way its `start` script does (`node --conditions=@otel-gelf/source
 * --import tsx --import <instrumentation> <entry>`), on a free port, and resolves once it listens.
 * Rejects with its output when it exits or stays silent first.
 */
export function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@otel-gelf/source',
      '--import',
      'tsx',
      '--import',
      options.instrumentation ?? './src/instrumentation.ts',
      options.entry ?? 'src/server.ts',
    ],
    {
      cwd: options.cwd,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let ready = false;
  let stderrRest = '';
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? null : 128)));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (!ready || options.onStderrLine === undefined) return;
    const lines = (stderrRest + chunk).split('\n');
    stderrRest = lines.pop()!;
    for (const line of lines) options.onStderrLine(line);
  });

  const stop = async (graceMs = 5000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}; its output:\n${output.trimEnd() || '(nothing)'}`));
    };
    const timer = setTimeout(
      () => fail(`the service did not print its URL within ${options.timeoutMs ?? 30_000} ms`),
      options.timeoutMs ?? 30_000,
    );
    child.once('error', (error) => fail(`could not start the service: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (!ready) fail(`the service exited (${signal ?? `code ${code}`}) before listening`);
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (ready) return;
      const match = LISTENING.exec(output);
      if (match === null) return;
      ready = true;
      clearTimeout(timer);
      resolve({ url: match[1]!, child, output: () => output, stop });
    });
  });
}
