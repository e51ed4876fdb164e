import { Test, TestingModule } from '@nestjs/testing';
import { ClusterModule } from 'nest-cluster';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { LeaderJobs } from './leader-jobs';

describe('AppController', () => {
  let app: TestingModule;
  let appController: AppController;

  beforeEach(async () => {
    app = await Test.createTestingModule({
      imports: [ClusterModule.forRoot({ mode: 'single', logger: false })],
      controllers: [AppController],
      providers: [AppService, LeaderJobs],
    }).compile();

    appController = app.get<AppController>(AppController);
  });

  afterEach(() => app.close());

  describe('root', () => {
    it('should return "Hello World!"', () => {
      expect(appController.getHello()).toBe('Hello World!');
    });
  });
});
