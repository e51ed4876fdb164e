import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ClusterModule } from 'nest-cluster';
import { AppController } from './app.controller.js';
import { LeaderJobs } from './leader-jobs.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // Values from the environment arrive as strings; the module accepts numeric strings.
    ClusterModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        mode: config.get<'single' | 'cluster' | 'redis'>('CLUSTER_MODE', 'cluster'),
        timeout: config.get<string>('CLUSTER_TIMEOUT', '1'),
        nodeName: config.get<string>('CLUSTER_NODE_NAME'),
      }),
    }),
  ],
  controllers: [AppController],
  providers: [LeaderJobs],
})
export class AppModule {}
