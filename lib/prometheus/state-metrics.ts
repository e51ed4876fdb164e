import { Counter, Gauge, type Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { MeteredCluster } from './metered-cluster.js';

/**
 * The series read from the cluster's own state when the registry is scraped (`collect`), so they
 * need no timer and are never stale: leadership, term, peers, and the counters the cluster keeps
 * (elections, transport violations), turned into Prometheus counters by their increase since the
 * previous scrape. Leader changes are counted from `state$` as they happen.
 */
export function stateMetrics(cluster: MeteredCluster, registry: Registry, electionName: string): Subscription {
  const registers = [registry];
  new Gauge({
    name: 'leader_election_master_status',
    help: 'Whether this instance is the acting leader (1) or not (0); as client-go reports it.',
    labelNames: ['name'],
    registers,
    collect() {
      this.set({ name: electionName }, cluster.isLeader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'nest_cluster_is_leader',
    help: 'Whether this node is the acting leader (1) or not (0).',
    registers,
    collect() {
      this.set(cluster.isLeader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'nest_cluster_term',
    help: 'The Raft term this node is in (redis mode: the epoch of the current leadership).',
    registers,
    collect() {
      this.set(cluster.getStats().term);
    },
  });
  new Gauge({
    name: 'nest_cluster_peers',
    help: 'Other nodes in the configured node list.',
    registers,
    collect() {
      this.set(cluster.getAllNodeCount() - 1);
    },
  });
  new Gauge({
    name: 'nest_cluster_peers_alive',
    help: 'Other nodes connected and heard from within the election timeout.',
    registers,
    collect() {
      this.set(Math.max(0, cluster.getAliveNodeCount() - 1));
    },
  });
  statCounter(registry, 'nest_cluster_elections_total', 'Elections this node ran as a candidate (ElectionStart events).', () => cluster.getStats().elections);
  statCounter(registry, 'nest_cluster_leaderships_total', 'Times this node became the acting leader (SignMaster events).', () => cluster.getStats().leaderships);
  const violations = new Map<string, number>();
  new Counter({
    name: 'nest_cluster_transport_violations_total',
    help: 'Peer connections dropped for breaking the protocol, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      for (const [reason, count = 0] of Object.entries(cluster.getStats().transport?.violations ?? {})) {
        this.inc({ reason }, count - (violations.get(reason) ?? 0));
        violations.set(reason, count);
      }
    },
  });
  const leaderChanges = new Counter({
    name: 'nest_cluster_leader_changes_total',
    help: 'Times this node learned of a new leader (itself included).',
    registers,
  });
  let leader: string | undefined;
  return cluster.state$.subscribe((state) => {
    if (state.leaderName === undefined || state.leaderName === leader) return;
    leader = state.leaderName;
    leaderChanges.inc();
  });
}

/** A Prometheus counter following a count the cluster keeps, by its increase since the last scrape. */
function statCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      this.inc(now - seen);
      seen = now;
    },
  });
}
