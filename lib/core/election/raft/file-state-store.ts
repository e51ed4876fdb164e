import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PersistentState } from './types.js';
import { ClusterError } from '../../errors.js';
import { isTerm, MAX_TERM } from '../term-ceiling.js';

/** Where a node keeps its term and vote (Raft thesis §3.8) across restarts. */
export interface RaftStateStore {
  /** The saved state, or `undefined` when nothing was ever saved. */
  load(): Promise<PersistentState | undefined>;
  /** Durable once the promise resolves: the driver awaits it before sending the messages it guards. */
  save(state: PersistentState): Promise<void>;
}

export class ClusterStateCorruptError extends ClusterError {
  constructor(
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      'ERR_CLUSTER_STATE_CORRUPT',
      `Raft state file ${path} ${problem}. Refusing to start with a guessed term: restore the file from ` +
        `a backup, or stop this node, delete it, and keep the node stopped for at least one election ` +
        `timeout before starting it again (it then rejoins at term 0 and learns the term from its peers; ` +
        `see "Recovering a dataDir" in the README).`,
      options,
    );
  }
}

/**
 * Keeps term and vote in `<dataDir>/raft-state-<nodeName>.json`. Every save writes a temp file,
 * fsyncs it, renames it over the old file and fsyncs the directory, so a crash leaves either the
 * old or the new state, never a torn one.
 *
 * @example
 * const store = new FileStateStore('/var/lib/my-app', 'node-1');
 * const state = await store.load(); // undefined on first start
 * await store.save({ term: 3, votedFor: 'node-2' });
 */
export class FileStateStore implements RaftStateStore {
  readonly path: string;
  private writes: Promise<void> = Promise.resolve();
  private tmpCounter = 0;

  constructor(
    private readonly dataDir: string,
    nodeName: string,
  ) {
    this.path = join(dataDir, `raft-state-${encodeURIComponent(nodeName)}.json`);
  }

  async load(): Promise<PersistentState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ClusterStateCorruptError(this.path, `cannot be read (${(err as Error).message})`, { cause: err });
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ClusterStateCorruptError(this.path, 'is not valid JSON', { cause: err });
    }
    return parseState(this.path, data);
  }

  save(state: PersistentState): Promise<void> {
    // Saves run one after another, so an older state can never be renamed over a newer one.
    const write = this.writes.then(() => this.write(state));
    this.writes = write.catch(() => undefined);
    return write;
  }

  private async write(state: PersistentState): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.${++this.tmpCounter}.tmp`;
    const body = JSON.stringify({ version: 1, term: state.term, votedFor: state.votedFor ?? null }) + '\n';
    try {
      const file = await open(tmp, 'w');
      try {
        await file.writeFile(body, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await syncDirectory(this.dataDir);
  }
}

/** Makes the rename durable. Some platforms (Windows) cannot open a directory; they skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw err;
  } finally {
    await handle.close();
  }
}

function parseState(path: string, data: unknown): PersistentState {
  const d = data as { version?: unknown; term?: unknown; votedFor?: unknown } | null;
  if (typeof d !== 'object' || d === null || d.version !== 1) {
    throw new ClusterStateCorruptError(path, 'does not hold a version 1 Raft state object');
  }
  if (typeof d.term === 'number' && d.term > MAX_TERM) {
    // Issue #10 item 3: a term above the ceiling (term-ceiling.ts) leaves no term to campaign for.
    throw new ClusterStateCorruptError(path, `holds term ${d.term}, above the ceiling ${MAX_TERM} no election can continue from`);
  }
  if (!isTerm(d.term)) {
    throw new ClusterStateCorruptError(path, `holds an invalid term (${JSON.stringify(d.term)})`);
  }
  if (d.votedFor !== null && d.votedFor !== undefined && typeof d.votedFor !== 'string') {
    throw new ClusterStateCorruptError(path, `holds an invalid votedFor (${JSON.stringify(d.votedFor)})`);
  }
  return d.votedFor == null ? { term: d.term } : { term: d.term, votedFor: d.votedFor };
}
