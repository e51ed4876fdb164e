import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeUnavailableError } from '../../lib/core/errors.js';
import { buildLib, repoRoot as root } from '../helpers/built-lib.js';
import { localNodes, makeNode, SECRET, rpc } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

let built: ReturnType<typeof buildLib>;
let buildDir: string;

beforeAll(() => {
  built = buildLib('transport-crash-test');
  buildDir = built.dir;
});
afterAll(() => built.remove());

function startChild(args: object): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [`${root}test/fixtures/transport-node.mjs`, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return { child, lines };
}

describe('a peer process killed with SIGKILL', () => {
  it('is detected at once: in-flight calls fail with NodeUnavailable and onPeerLost fires', async () => {
    const nodes = await localNodes(['a', 'b']);
    const a = makeNode(nodes[0]!, nodes);
    const { child, lines } = startChild({ buildDir, self: nodes[1], nodes, secret: SECRET });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await a.transport.start();
      await waitFor(() => a.transport.isAlive('b'), { timeoutMs: 30_000, what: 'the child node to connect' });
      const inFlight = rpc(a.transport).call({ nodeName: 'b', funcName: 'hang', param: undefined, timeoutMs: 60_000 });
      inFlight.catch(() => undefined);
      await waitFor(() => lines.includes('serving hang'), { timeoutMs: 30_000 });
      child.kill('SIGKILL');
      await expect(inFlight).rejects.toBeInstanceOf(NodeUnavailableError);
      await waitFor(() => a.lost.includes('b'), { timeoutMs: 30_000, what: 'onPeerLost("b")' });
      expect(a.transport.isAlive('b')).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await a.transport.close();
    }
  });

  it('is dialled again when it restarts on the same address', async () => {
    const nodes = await localNodes(['a', 'b']);
    const a = makeNode(nodes[0]!, nodes);
    const children: ChildProcess[] = [];
    const start = () => {
      const { child } = startChild({ buildDir, self: nodes[1], nodes, secret: SECRET });
      children.push(child);
      return new Promise((resolve) => child.once('exit', resolve));
    };
    try {
      await a.transport.start();
      const firstExit = start();
      await waitFor(() => a.transport.isAlive('b'), { timeoutMs: 30_000, what: 'the child node to connect' });
      children[0]!.kill('SIGKILL');
      await firstExit;
      await waitFor(() => a.lost.includes('b'), { timeoutMs: 30_000, what: 'onPeerLost("b")' });
      const secondExit = start();
      await waitFor(() => a.transport.isAlive('b'), { timeoutMs: 30_000, what: 'a to re-dial the restarted b' });
      expect(await rpc(a.transport).call({ nodeName: 'b', funcName: 'echo', param: 'again', timeoutMs: 5000 })).toEqual({ status: 'ok', value: 'again' });
      children[1]!.kill('SIGKILL');
      await secondExit;
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await a.transport.close();
    }
  });
});
