import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_TERM } from '../term-ceiling.js';
import { ClusterStateCorruptError, FileStateStore } from './file-state-store.js';

describe('FileStateStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-state-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a node that never saved starts fresh', async () => {
    await expect(new FileStateStore(dir, 'a').load()).resolves.toBeUndefined();
  });

  it('what is saved is loaded back by a new store, with or without a vote', async () => {
    await new FileStateStore(dir, 'a').save({ term: 7, votedFor: 'b' });
    await expect(new FileStateStore(dir, 'a').load()).resolves.toEqual({ term: 7, votedFor: 'b' });
    await new FileStateStore(dir, 'a').save({ term: 8 });
    await expect(new FileStateStore(dir, 'a').load()).resolves.toEqual({ term: 8 });
  });

  it('creates the data directory and leaves no temp file behind', async () => {
    const nested = join(dir, 'x', 'y');
    const store = new FileStateStore(nested, 'node/1');
    await store.save({ term: 1, votedFor: 'node/1' });
    expect(await readdir(nested)).toEqual(['raft-state-node%2F1.json']);
  });

  it('the last of several concurrent saves wins', async () => {
    const store = new FileStateStore(dir, 'a');
    await Promise.all([1, 2, 3, 4, 5].map((term) => store.save({ term })));
    await expect(store.load()).resolves.toEqual({ term: 5 });
  });

  it('a temp file left by a crash mid-write is ignored', async () => {
    const store = new FileStateStore(dir, 'a');
    await store.save({ term: 3, votedFor: 'c' });
    await writeFile(`${store.path}.999.1.tmp`, '{"version":1,"te');
    await expect(store.load()).resolves.toEqual({ term: 3, votedFor: 'c' });
  });

  it('a corrupt file is an error naming the file and what to do, never a reset to term 0', async () => {
    const store = new FileStateStore(dir, 'a');
    await writeFile(store.path, '{"version":1,"te');
    const err = await store.load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterStateCorruptError);
    expect(err).toMatchObject({ code: 'ERR_CLUSTER_STATE_CORRUPT', path: store.path });
    expect((err as Error).message).toContain(store.path);
    expect((err as Error).message).toMatch(/restore the file/);
  });

  it('a well-formed file with a bad term or vote is corrupt too', async () => {
    const store = new FileStateStore(dir, 'a');
    for (const body of ['{"version":1,"term":-1}', '{"version":1,"term":"3"}', '{"version":1,"term":2,"votedFor":5}', '[]', '{"term":1}']) {
      await writeFile(store.path, body);
      await expect(store.load()).rejects.toMatchObject({ code: 'ERR_CLUSTER_STATE_CORRUPT' });
    }
  });

  it('a persisted term above the ceiling is refused with a typed error that says how to recover (issue #10 item 3)', async () => {
    const store = new FileStateStore(dir, 'a');
    for (const term of ['9007199254740991', '281474976710657', '1e300']) {
      await writeFile(store.path, `{"version":1,"term":${term},"votedFor":"b"}\n`);
      const err = await store.load().catch((e: unknown) => e);
      expect(err, `term ${term}`).toBeInstanceOf(ClusterStateCorruptError);
      expect(err).toMatchObject({ code: 'ERR_CLUSTER_STATE_CORRUPT', path: store.path });
      expect((err as Error).message).toMatch(/above the ceiling/);
      expect((err as Error).message).toMatch(/delete it.*election timeout/);
    }
    await writeFile(store.path, `{"version":1,"term":${MAX_TERM},"votedFor":"b"}\n`);
    await expect(store.load()).resolves.toEqual({ term: MAX_TERM, votedFor: 'b' });
  });

  it('an unreadable path is reported, not treated as missing', async () => {
    const store = new FileStateStore(dir, 'a');
    await mkdir(store.path); // reading a directory fails with EISDIR
    await expect(store.load()).rejects.toMatchObject({ code: 'ERR_CLUSTER_STATE_CORRUPT' });
  });
});
