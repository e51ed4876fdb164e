import { Module } from '@nestjs/common';
import { ClusterModule } from 'nest-cluster';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { LeaderJobs } from './leader-jobs';

@Module({
  imports: [ClusterModule.forRoot({ mode: 'single' })],
  controllers: [AppController],
  providers: [AppService, LeaderJobs],
})
export class AppModule {}
