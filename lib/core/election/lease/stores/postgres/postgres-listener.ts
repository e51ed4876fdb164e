import type { PgPoolClient, PgPoolLike } from './pg-types.js';

/**
 * LISTEN on one connection taken from the pool for as long as the store lives. A connection that
 * breaks (database restart, pg_terminate_backend) is destroyed and replaced after `retryMs`; the
 * notices missed meanwhile only cost the polling delay. Nothing is left after close().
 */
export class PostgresListener {
  private client: PgPoolClient | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: PgPoolLike,
    private readonly channel: string,
    private readonly retryMs: number,
    private readonly onMessage: (message: string) => void,
    private readonly onError: (kind: string, error: unknown) => void,
  ) {}

  start(): void {
    void this.listen();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.drop();
  }

  private async listen(): Promise<void> {
    let client: PgPoolClient | undefined;
    try {
      client = await this.pool.connect();
      if (this.closed) return client.release(true);
      this.client = client;
      client.on('error', (error) => this.broken(client!, error));
      client.on('end', () => this.broken(client!, new Error('the listening connection ended')));
      client.on('notification', (message) => {
        if (message.channel === this.channel && typeof message.payload === 'string') this.onMessage(message.payload);
      });
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      if (client) this.broken(client, error);
      else this.later(error);
    }
  }

  private broken(client: PgPoolClient, error: unknown): void {
    if (this.client !== client) return;
    this.drop();
    this.later(error);
  }

  private later(error: unknown): void {
    if (this.closed) return;
    this.onError('listen', error);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.listen(), this.retryMs);
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners('notification');
    // Keep an error listener: a destroyed pg client may still emit one, and an unheard 'error' throws.
    client.removeAllListeners('error');
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    client.release(true);
  }
}
