import { describe, expect, it } from 'vitest';
import { asRaftMessage } from '../../lib/core/election/raft/message-guard.js';
import { currentCallContext } from '../../lib/core/rpc/trace.js';
import { clusterIdentity } from '../../lib/core/transport/protocol.js';
import { handshakeAs, impostor, rawClient, SECRET, startMesh } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

describe('attribution to the authenticated name (issue #10 finding 5)', () => {
  it('election messages and calls are attributed to the name the link authenticated, never to a field in the message', async () => {
    const seen: { from: string; payload: unknown }[] = [];
    const callers: (string | undefined)[] = [];
    const mesh = await startMesh(['a', 'b'], { functions: { who: () => void callers.push(currentCallContext()?.callerNode) } }, ['c']);
    try {
      const b = mesh.mesh.get('b')!.transport;
      b.onMessage((from, payload) => seen.push({ from, payload }));
      const client = await rawClient(mesh.nodes[1]!.port);
      await handshakeAs(client, impostor('c', 'b', clusterIdentity(mesh.nodes), SECRET));
      const forged = { type: 'Heartbeat', from: 'a', to: 'b', term: 5, round: 1 };
      client.sendMessage({ type: 'raft', payload: forged });
      client.sendMessage({ type: 'request', id: 1, timeoutMs: 1000, body: { funcName: 'who', param: { from: 'a' }, traceId: null } });
      await waitFor(() => seen.length === 1 && callers.length === 1);
      expect(seen[0]!.from).toBe('c');
      expect(callers).toEqual(['c']);
      // The Raft driver drops a message whose sender field disagrees with the link.
      expect(asRaftMessage(seen[0]!.payload, seen[0]!.from, 'b')).toMatchObject({ problem: expect.stringContaining('"c"') });
      expect(asRaftMessage({ ...forged, from: 'c' }, 'c', 'b').message).toBeDefined();
      client.socket.destroy();
    } finally {
      await mesh.close();
    }
  });
});
