import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { NodeReport } from './node-report.js';

/**
 * The three-node demo: starts three sample nodes as child processes on free localhost ports,
 * prints every role change and every run of the leader-only job, makes a remote call, kills the
 * leader (SIGKILL) to show the failover and the job moving with it, restarts it to show it
 * rejoining as a follower, stops the new leader gracefully (SIGTERM) to show the hand-over, and exits.
 */
const ELECTION_TIMEOUT_MS = Number(process.env.CLUSTER_TIMEOUT_MS ?? 1000);
const NAMES = ['node1', 'node2', 'node3'];
const mainJs = fileURLToPath(new URL('./main.js', import.meta.url));
/** Term and vote survive the restart below, so the restarted node may vote at once. */
const dataDir = mkdtempSync(join(tmpdir(), 'nest-cluster-demo-'));

interface Node {
  name: string;
  child?: ChildProcess;
  url?: string;
  leading: boolean;
  /** The leader this node follows, from its SignFollower / ReleaseMaster events. */
  following?: string;
}

/** A run of the sample's `@MasterInterval` leader job, as a node reported it. */
interface JobRun {
  node: string;
  fencingToken: number;
  at: number;
}

const runs: JobRun[] = [];

const nodes = new Map<string, Node>(NAMES.map((name) => [name, { name, leading: false }]));
const waiters = new Set<() => void>();
const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function start(node: Node, clusterNodes: string): void {
  const child = fork(mainJs, [], {
    env: {
      ...process.env,
      CLUSTER_NODES: clusterNodes,
      CLUSTER_NODE_NAME: node.name,
      CLUSTER_DATA_DIR: dataDir,
      PORT: '0',
      SAMPLE_QUIET: '1',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  node.child = child;
  node.url = undefined;
  node.following = undefined;
  child.on('message', (message: NodeReport) => {
    if (message.type === 'ready') node.url = message.url;
    else if (message.type === 'job') {
      runs.push({ node: node.name, fencingToken: message.fencingToken, at: message.at });
      say(`${node.name.padEnd(6)} leader job    run #${message.run} fencing token ${message.fencingToken}`);
    } else {
      const { type, term, leaderName } = message.event;
      if (type === 'SignMaster') node.leading = true;
      if (type === 'StopMaster') node.leading = false;
      if (type === 'SignFollower') node.following = leaderName;
      if (type === 'ReleaseMaster') node.following = undefined;
      if (['SignMaster', 'StopMaster', 'SignFollower', 'ReleaseMaster'].includes(type)) {
        say(`${node.name.padEnd(6)} ${type.padEnd(13)} term=${term} leader=${leaderName ?? '-'}`);
      }
    }
    for (const wake of waiters) wake();
  });
  child.on('exit', () => {
    node.leading = false;
    node.child = undefined;
    for (const wake of waiters) wake();
  });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30 * ELECTION_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const wake = () => {
        waiters.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, 50);
      waiters.add(wake);
    });
  }
}

/** The first job run on `node` after `since`, if any. */
const runOn = (node: Node, since: number) => runs.find((r) => r.node === node.name && r.at >= since);
const lastRunOn = (node: Node) => runs.filter((r) => r.node === node.name).at(-1);

/** Waits for the leader job's first run on `to` after `since` and says where it came from. */
async function sayJobMoved(from: Node, to: Node, since: number, what: string): Promise<void> {
  const first = await until(`a leader job run on ${to.name}`, () => runOn(to, since));
  const last = lastRunOn(from);
  const left = last ? `${from.name} (last run ${since - last.at} ms before the ${what}, token ${last.fencingToken})` : from.name;
  say(`the leader job moved from ${left} to ${to.name} (first run ${first.at - since} ms after it, token ${first.fencingToken}; an interval job first runs one interval after leadership starts)`);
}

const leader = (except?: string) => [...nodes.values()].find((n) => n.leading && n.name !== except && n.child);

async function get(url: string): Promise<string> {
  return (await fetch(url)).text();
}

async function stop(node: Node, signal: NodeJS.Signals): Promise<void> {
  const child = node.child;
  if (!child) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

async function main() {
  const ports = await Promise.all(NAMES.map(() => freePort()));
  const clusterNodes = NAMES.map((name, i) => `${name}@127.0.0.1:${ports[i]}`).join(',');
  say(`starting ${NAMES.length} nodes: ${clusterNodes} (election timeout ${ELECTION_TIMEOUT_MS} ms)`);
  for (const node of nodes.values()) start(node, clusterNodes);
  await until('every node to serve HTTP', () => ([...nodes.values()].every((n) => n.url) ? true : undefined));
  const first = await until('a leader', () => leader());
  await until(`a leader job run on ${first.name}`, () => runOn(first, 0));
  for (const node of nodes.values()) say(`GET ${node.name}/cluster -> ${await get(`${node.url}/cluster`)}`);

  const follower = [...nodes.values()].find((n) => n !== first)!;
  say(`remote call from ${follower.name}: GET /hello/${first.name}/World -> ${await get(`${follower.url}/hello/${first.name}/World`)}`);

  say(`SIGKILL the leader ${first.name}`);
  const killedAt = Date.now();
  await stop(first, 'SIGKILL');
  const second = await until('a new leader', () => leader(first.name));
  const failover = Date.now() - killedAt;
  say(`failover: ${second.name} leads ${failover} ms after the kill (${(failover / ELECTION_TIMEOUT_MS).toFixed(2)} × T)`);
  await sayJobMoved(first, second, killedAt, 'kill');

  say(`restarting ${first.name}: it rejoins as a follower`);
  start(first, clusterNodes);
  await until(`${first.name} to serve HTTP`, () => first.url);
  await until(`${first.name} to follow ${second.name}`, () => (first.following === second.name ? true : undefined));
  say(`GET ${first.name}/cluster -> ${await get(`${first.url}/cluster`)}`);

  say(`SIGTERM the leader ${second.name}: graceful hand-over`);
  const stoppedAt = Date.now();
  const stopping = stop(second, 'SIGTERM');
  const third = await until('the hand-over', () => leader(second.name));
  const gap = Date.now() - stoppedAt;
  await stopping;
  say(`hand-over: ${third.name} leads ${gap} ms after SIGTERM (${(gap / ELECTION_TIMEOUT_MS).toFixed(2)} × T)`);
  await sayJobMoved(second, third, stoppedAt, 'SIGTERM');

  for (const node of nodes.values()) await stop(node, 'SIGTERM');
  say('all nodes stopped; done');
}

process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

main().catch(async (error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  for (const node of nodes.values()) node.child?.kill('SIGKILL');
  process.exitCode = 1;
});
