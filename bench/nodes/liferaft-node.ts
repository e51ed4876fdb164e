import { sharedNow } from '../support/clock.js';
import type { NodeSpec } from './node-messages.js';
import { answerCommands, report } from './node-ipc.js';

// Stamped before liferaft loads, as cluster-node.ts does before nest-cluster: cold start counts
// module loading.
report({ type: 'loaded', at: sharedNow() });

const { default: LifeRaft } = await import('@markwylde/liferaft');
const { tcpLifeRaft } = await import('../support/liferaft-transport.js');
report({ type: 'imported', at: sharedNow() });

/**
 * A @markwylde/liferaft node (issue #15's comparison) that reports to the bench as
 * cluster-node.ts does, in our event names: ElectionStart when it becomes a candidate, SignMaster
 * when it becomes leader (liferaft has no lease: it counts as leader once it has the votes),
 * StopMaster when it stops leading, SignFollower when it follows a known leader.
 */
const spec = JSON.parse(process.env.BENCH_NODE ?? '{}') as NodeSpec;
const T = spec.electionTimeoutMs!;
const TcpRaft = tcpLifeRaft(new Map(spec.nodes!.map((n) => [n.name, { host: n.ip, port: n.port }])));
const raft = new TcpRaft(spec.name, {
  'election min': T,
  'election max': 2 * T,
  heartbeat: spec.heartbeatIntervalMs ?? T / 10,
});

let reported: { state: number; leader: string } = { state: LifeRaft.FOLLOWER, leader: '' };
/** liferaft changes state, term and leader one by one, emitting between them: report once all are set. */
function reportChange(): void {
  queueMicrotask(() => {
    const now = { state: raft.state, leader: raft.leader };
    const at = sharedNow();
    const event = (type: 'ElectionStart' | 'SignMaster' | 'StopMaster' | 'SignFollower') =>
      report({ type: 'event', event: type, term: raft.term, leader: now.leader || undefined, at });
    if (reported.state === LifeRaft.LEADER && now.state !== LifeRaft.LEADER) event('StopMaster');
    if (now.state === LifeRaft.CANDIDATE && reported.state !== LifeRaft.CANDIDATE) event('ElectionStart');
    if (now.state === LifeRaft.LEADER && reported.state !== LifeRaft.LEADER) event('SignMaster');
    if (now.state === LifeRaft.FOLLOWER && now.leader && (reported.state !== LifeRaft.FOLLOWER || reported.leader !== now.leader)) {
      event('SignFollower');
    }
    reported = now;
  });
}
raft.on('state change', reportChange);
raft.on('leader change', reportChange);
raft.on('term change', reportChange);
raft.on('error', (error: NodeJS.ErrnoException) => {
  // Its own port taken: nothing to measure. Any other error is a packet a down peer did not take,
  // which liferaft emits for every such packet and gets over by itself.
  if (error.syscall !== 'listen') return;
  process.stderr.write(`liferaft node ${spec.name}: ${error.message}\n`);
  process.exit(1);
});
raft.once('initialize', () => report({ type: 'started', at: sharedNow() }));
for (const node of spec.nodes!) if (node.name !== spec.name) raft.join(node.name);

function close(): void {
  raft.end();
  if (process.connected) process.disconnect();
  process.exit(0);
}
process.on('SIGTERM', close);
answerCommands(close);
process.on('disconnect', close);
