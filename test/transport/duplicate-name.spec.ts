import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../helpers/ports.js';
import { memoryLogger } from '../helpers/clusters.js';
import { localNodes, makeNode, type TestNode } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

let running: TestNode[] = [];
afterEach(async () => {
  await Promise.all(running.map((n) => n.transport.close()));
  running = [];
});

describe('two processes with the same node name (issue #9)', () => {
  it('back off instead of replacing each other at the peer without pause, and the peer names the duplicate', async () => {
    const nodes = await localNodes(['a', 'b']);
    const [spare] = await freePorts(1);
    const aLog = memoryLogger();
    const bLog = memoryLogger();
    const a = makeNode(nodes[0]!, nodes, { logger: aLog });
    const b = makeNode(nodes[1]!, nodes, { logger: bLog });
    // Same configuration and name as b, listening elsewhere: a second process started as "b".
    const twin = makeNode({ ...nodes[1]!, port: spare! }, nodes, { logger: bLog });
    running = [a, b, twin];
    await Promise.all(running.map((n) => n.transport.start()));
    await waitFor(() => a.transport.stats().connections.replaced >= 8, { what: 'the twins to replace each other at a a few times' });
    const failed = b.transport.stats().connections.dialFailures + twin.transport.stats().connections.dialFailures;
    // Every replaced link ended young at its dialer and counted as a failed dial (backing off).
    expect(failed).toBeGreaterThanOrEqual(a.transport.stats().connections.replaced - 2);
    expect(aLog.lines.some((l) => l.level === 'warn' && l.message.includes('Node "b"') && l.message.includes('same node name'))).toBe(true);
    await waitFor(() => bLog.lines.some((l) => l.level === 'warn' && l.message.includes('another process may be running as "b"')));
  });
});
