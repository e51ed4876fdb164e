import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterModuleOptions } from '../../lib/config/cluster-options.js';
import type { Cluster } from '../../lib/core/cluster.js';
import { ClusterConfigError } from '../../lib/core/errors.js';
import { createCluster } from '../../lib/create-cluster.js';
import { NameTable } from '../helpers/name-table.js';
import { freePorts } from '../helpers/ports.js';
import { SECRET } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

const T = 300;
const running = new Set<Cluster>();
afterEach(async () => {
  await Promise.all([...running].map((c) => c.close()));
  running.clear();
});

/** Three nodes known only by DNS names, as a StatefulSet's pods are; each listens on its own alias. */
async function namedCluster(dns: NameTable) {
  const ports = await freePorts(3);
  const names = ['n1', 'n2', 'n3'];
  names.forEach((name, i) => dns.set(`${name}.cluster.test`, `127.0.0.${11 + i}`));
  const nodes = names.map((name, i) => ({ name, host: `${name}.cluster.test`, port: ports[i]! }));
  const start = async (name: string, bindHost: string, extra: Partial<ClusterModuleOptions> = {}) => {
    const list = nodes.map((n) => (n.name === name ? { ...n, bindHost } : n));
    const cluster = createCluster(
      { mode: 'cluster', nodes: list, nodeName: name, secret: SECRET, electionTimeoutMs: T, logger: false, ...extra },
      { lookup: dns.lookup },
    );
    running.add(cluster);
    await cluster.startUp();
    return cluster;
  };
  const clusters = new Map<string, Cluster>();
  for (const [i, name] of names.entries()) clusters.set(name, await start(name, `127.0.0.${11 + i}`));
  return { nodes, clusters, start };
}

const dialledTo = (cluster: Cluster, peer: string) => cluster.getStats().transport?.peers[peer]?.outbound === true;
/** Each pair keeps the connection dialled by the name that sorts first (issue #15). */
const pairDialled = (cluster: Cluster, peer: string) => (cluster.getMyName() < peer ? dialledTo(cluster, peer) : cluster.getStats().transport?.peers[peer]?.inbound === true);
const linked = (cluster: Cluster, peer: string) => dialledTo(cluster, peer) || cluster.getStats().transport?.peers[peer]?.inbound === true;

describe('nodes configured by DNS name (issue #14)', () => {
  it('elect a leader over addresses their names resolve to, dialling every peer by its name', async () => {
    const dns = new NameTable();
    const { clusters } = await namedCluster(dns);
    const all = [...clusters.values()];
    await waitFor(() => all.filter((c) => c.isLeader()).length === 1 && all.every((c) => c.getAliveNodeCount() === 3), {
      what: 'one leader that every node sees, with every node alive',
    });
    await waitFor(() => all.every((c) => ['n1', 'n2', 'n3'].every((p) => p === c.getMyName() || pairDialled(c, p))), {
      what: 'every pair linked by the connection its first name dialled',
    });
    // Each dial resolved the peer's name through the lookup; none dialled a name by itself.
    for (const name of ['n1', 'n2', 'n3']) expect(dns.asked.get(`${name}.cluster.test`)).toBeGreaterThanOrEqual(2);
    expect(clusters.get('n1')!.getNodeByName('n2')).toMatchObject({ ip: 'n2.cluster.test', address: expect.stringMatching(/^n2\.cluster\.test:\d+$/) });
  });

  it('reach a node again that restarts under a new address, by looking its name up again', async () => {
    const dns = new NameTable();
    const { clusters, start } = await namedCluster(dns);
    const n1 = clusters.get('n1')!;
    const n3 = clusters.get('n3')!;
    // n1 dials n2 (its name sorts first); n2 dials n3, which dials n2 only while that link is down.
    await waitFor(() => dialledTo(n1, 'n2') && linked(n3, 'n2'), { what: 'n1 and n3 connected to n2' });

    await clusters.get('n2')!.close();
    await waitFor(() => !linked(n1, 'n2') && !linked(n3, 'n2'), { what: 'n1 and n3 to see n2 gone' });
    // The pod comes back elsewhere: its old address has nobody listening, its name points anew.
    dns.set('n2.cluster.test', '127.0.0.22');
    const n2 = await start('n2', '127.0.0.22');

    await waitFor(() => dialledTo(n1, 'n2') && linked(n3, 'n2'), { what: 'n1 to dial n2 at its new address, and n3 linked to it' });
    await waitFor(() => n2.getAliveNodeCount() === 3 && n2.getLeaderName() !== undefined, { what: 'n2 back in the cluster' });
  });

  it('still refuse a stranger: a node with the wrong secret never gets in', async () => {
    const dns = new NameTable();
    const { clusters, nodes } = await namedCluster(dns);
    const n1 = clusters.get('n1')!;
    await waitFor(() => n1.getAliveNodeCount() === 3, { what: 'the three nodes connected' });
    const refusedBefore = n1.getStats().transport!.violations['auth-failed'] ?? 0;
    // The stranger has the node list (names are no secret) and claims to be n3, from its own alias.
    const stranger = createCluster(
      {
        mode: 'cluster', nodes: nodes.map((n) => (n.name === 'n3' ? { ...n, bindHost: '127.0.0.14' } : n)),
        nodeName: 'n3', secret: 'not the cluster secret', electionTimeoutMs: T, logger: false,
      },
      { lookup: dns.lookup },
    );
    running.add(stranger);
    await stranger.startUp();
    await waitFor(() => (n1.getStats().transport!.violations['auth-failed'] ?? 0) > refusedBefore, { what: 'n1 to refuse the stranger' });
    expect(stranger.getAliveNodeNames()).toEqual(['n3']);
    expect(stranger.isLeader()).toBe(false);
  });

  it('still refuse, in protected mode, to listen on every interface with no secret, before binding anything', async () => {
    const [port] = await freePorts(1);
    const cluster = createCluster({ mode: 'cluster', nodes: [{ name: 'a', host: 'a.cluster.test', port: port! }], nodeName: 'a', logger: false });
    running.add(cluster);
    const error = await cluster.startUp().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterConfigError);
    expect((error as Error).message).toMatch(/would listen on 0\.0\.0\.0:\d+, which other machines can reach/);
  });

  it('listen without a secret on a loopback bindHost: protected mode judges the bind address, not the name', async () => {
    const dns = new NameTable().set('solo.cluster.test', '127.0.0.41');
    const [port] = await freePorts(1);
    const cluster = createCluster(
      { mode: 'cluster', nodes: [{ name: 'solo', host: 'solo.cluster.test', port: port!, bindHost: '127.0.0.41' }], nodeName: 'solo', electionTimeoutMs: T, logger: false },
      { lookup: dns.lookup },
    );
    running.add(cluster);
    await cluster.startUp();
    await waitFor(() => cluster.isLeader(), { what: 'the single node to lead' });
  });
});
