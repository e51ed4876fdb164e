import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClusterService } from 'nest-cluster';
import { AppModule } from './app.module.js';
import { JobsService } from './jobs.service.js';
import type { NodeReport } from './node-report.js';

/**
 * Starts one node of the sample app and serves until SIGTERM/SIGINT (options from the environment,
 * see app.module.ts). Started by the demo (with an IPC channel), it also reports its HTTP address
 * and every cluster event to the demo.
 */
async function main() {
  const quiet = process.env.SAMPLE_QUIET === '1';
  const app = await NestFactory.create(AppModule, { logger: quiet ? ['warn', 'error'] : ['log', 'warn', 'error'] });
  app.enableShutdownHooks();
  const cluster = app.get(ClusterService);
  const report = (message: NodeReport) => process.send?.(message);
  cluster.events$.subscribe((event) => report({ type: 'event', event: { ...event, at: event.at.getTime() } }));
  app.get(JobsService).leaderRuns$.subscribe((run) => report({ type: 'job', ...run, at: Date.now() }));

  // HTTP_HOST=0.0.0.0 in a container, where the kubelet probes the pod's own address.
  await app.listen(Number(process.env.PORT ?? 0), process.env.HTTP_HOST ?? '127.0.0.1');
  const url = await app.getUrl();
  const logger = new Logger('Sample');
  logger.log(`HTTP on ${url}  (GET /cluster, GET /health, GET /hello/:node/:name)`);
  report({ type: 'ready', node: cluster.getMyName(), url });
}

main().catch((error: unknown) => {
  new Logger('Sample').error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
