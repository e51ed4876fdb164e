import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { App } from 'supertest/types';
import { AppModule } from './../src/app.module';
import { LeaderJobs } from './../src/leader-jobs';

describe('AppController (e2e)', () => {
  let app: INestApplication<App>;

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication({ logger: false });
    await app.init();
  });

  afterEach(() => app.close());

  it('/ (GET)', () => {
    return request(app.getHttpServer()).get('/').expect(200).expect('Hello World!');
  });

  it('/leader (GET) reports this node leading once its @OnStartedLeading handler ran', async () => {
    await app.get(LeaderJobs).started;
    const response = await request(app.getHttpServer()).get('/leader').expect(200);
    expect(response.body).toEqual({
      leader: expect.any(String),
      isLeader: true,
      startedLeadingInTerm: expect.any(Number),
    });
  });
});
