import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../helpers/clusters.js';
import { rawClient, startMesh } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

describe('violation log lines (issue #10 finding 8)', () => {
  it('name the remote address and port captured at accept, not "?:?"', async () => {
    const logger = memoryLogger();
    const mesh = await startMesh(['a', 'b'], { logger });
    try {
      const client = await rawClient(mesh.nodes[0]!.port);
      const localPort = client.socket.localPort;
      client.socket.write(Buffer.from([0, 0, 0, 2, 0x92, 1]));
      await client.closed;
      await waitFor(() => logger.lines.some((l) => l.message.includes('malformed-frame')), { what: 'a violation line' });
      const line = logger.lines.find((l) => l.message.includes('malformed-frame'))!.message;
      expect(line).toContain(`127.0.0.1:${localPort}`);
      expect(line).not.toContain('?:?');
    } finally {
      await mesh.close();
    }
  });
});

describe('violation log lines with TLS (issue #10 finding 8)', () => {
  it('name the remote address of a TLS client refused in the TLS handshake', async () => {
    const { makeTestCa } = await import('../helpers/certs.js');
    const { connect } = await import('node:tls');
    const good = makeTestCa('good');
    const logger = memoryLogger();
    const mesh = await startMesh(['a'], { logger, secret: undefined, tls: { ca: good.ca, key: good.key, cert: good.cert } }, ['b']);
    try {
      const socket = connect({ host: '127.0.0.1', port: mesh.nodes[0]!.port, ca: good.ca, checkServerIdentity: () => undefined });
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()).once('close', () => resolve()));
      const localPort = socket.localPort;
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await waitFor(() => logger.lines.some((l) => l.message.includes('tls-refused')), { what: 'a violation line' });
      const line = logger.lines.find((l) => l.message.includes('tls-refused'))!.message;
      expect(line).toContain(`127.0.0.1:${localPort}`);
    } finally {
      await mesh.close();
    }
  });
});
