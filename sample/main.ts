import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClusterService } from 'nest-cluster';
import { AppModule } from './app.module.js';

/**
 * Starts one node of the sample app and serves until SIGTERM/SIGINT. With `--demo`, it walks
 * through the demo instead: waits for a leader, asks its own HTTP API for the cluster view and a
 * cluster-function call, lets the jobs run for a few seconds, and shuts down gracefully.
 */
async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['log', 'warn', 'error'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const url = await app.getUrl();
  const logger = new Logger('Sample');
  logger.log(`HTTP on ${url}  (GET /cluster, GET /hello/:node/:name)`);

  if (process.argv.includes('--demo')) {
    const demoMs = Number(process.env.DEMO_MS ?? 3000);
    const cluster = app.get(ClusterService);
    const leader = await cluster.waitForLeader(10_000);
    logger.log(`leader: ${leader.name}`);
    logger.log(`GET /cluster -> ${await (await fetch(`${url}/cluster`)).text()}`);
    logger.log(`GET /hello/${leader.name}/World -> ${await (await fetch(`${url}/hello/${leader.name}/World`)).text()}`);
    await new Promise((resolve) => setTimeout(resolve, demoMs));
    logger.log('demo done, shutting down');
    await app.close();
  }
}

main().catch((error: unknown) => {
  new Logger('Sample').error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
