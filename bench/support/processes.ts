import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export { freePorts } from './ports.js';

/** Every child a bench started: all are SIGKILLed if the bench itself exits or fails. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A compiled bench node next to this file's directory (`nodes/<name>.js`). */
export function nodeScript(name: string): string {
  return fileURLToPath(new URL(`../nodes/${name}.js`, import.meta.url));
}

/** Forks a node with an IPC channel; extra `execArgv` (say `--cpu-prof`) from BENCH_NODE_ARGS. */
export function startChild(script: string, env: Record<string, string>): ChildProcess {
  const execArgv = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(script, [], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Sends `signal` and resolves once the process has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** Resolves with the first IPC message `accept` returns a value for; rejects after `timeoutMs`. */
export function nextMessage<M, T>(child: ChildProcess, accept: (m: M) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (error: Error | undefined, value?: T) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    };
    const onMessage = (m: M) => {
      const value = accept(m);
      if (value !== undefined) done(undefined, value);
    };
    const onExit = () => done(new Error(`bench: the child exited while waiting for ${what}`));
    const timer = setTimeout(() => done(new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
