import { describe, expect, it } from 'vitest';
import { resolveClusterOptions } from '../../lib/config/resolve-options.js';
import { silentLogger } from '../../lib/core/logger.js';
import { Transport } from '../../lib/core/transport/transport.js';
import { systemClock } from '../../lib/system-clock.js';
import { localNodes, SECRET } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Transport from resolved cluster settings', () => {
  it('takes `{ ...settings, clock }` and connects two nodes', async () => {
    const nodes = await localNodes(['a', 'b']);
    const [a, b] = ['a', 'b'].map((nodeName) => {
      const settings = resolveClusterOptions({ mode: 'cluster', nodes, nodeName, secret: SECRET, logger: false });
      return new Transport({ ...settings, logger: silentLogger, clock: systemClock });
    });
    try {
      await Promise.all([a!.start(), b!.start()]);
      await waitFor(() => a!.isAlive('b') && b!.isAlive('a'));
      expect(a!.port).toBe(nodes[0]!.port);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });
});
