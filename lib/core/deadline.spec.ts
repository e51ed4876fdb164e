import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { DeadlineQueue, type Expiring, type TimerFunctions } from './deadline.js';
import { PendingRequests } from './transport/pending-requests.js';

/**
 * A queue on a fake clock: `lag` holds the queue's clock behind the timers, as Node's timers run
 * on the loop's cached time while the transport's clock is performance.now().
 */
function fakeQueue() {
  const fake = FakeTimers.createClock(0);
  let lag = 0;
  const clock = { now: () => fake.now - lag, wallTime: () => fake.now };
  let armed: NodeJS.Timeout | undefined;
  const timers: TimerFunctions = {
    setTimeout: (callback, ms) => (armed = fake.setTimeout(callback, ms) as unknown as NodeJS.Timeout),
    clearTimeout: (timer) => fake.clearTimeout(timer as unknown as FakeTimers.TimerId),
  };
  const queue = new DeadlineQueue(clock, timers);
  return { fake, queue, setLag: (ms: number) => void (lag = ms), armed: () => armed };
}

function entry(name: string, expired: string[]): Expiring {
  return { deadlineAt: 0, queueIndex: -1, expire: () => void expired.push(name) };
}

describe('DeadlineQueue (issue #15: one timer for every deadline of a node)', () => {
  it('expires an entry at its deadline, not a millisecond before', () => {
    const { fake, queue } = fakeQueue();
    const expired: string[] = [];
    queue.add(entry('a', expired), 100);
    fake.tick(99);
    expect(expired).toEqual([]);
    fake.tick(1);
    expect(expired).toEqual(['a']);
    expect(queue.size).toBe(0);
  });

  it('expires an earlier deadline added after a later one on time, then the later one', () => {
    const { fake, queue } = fakeQueue();
    const expired: string[] = [];
    queue.add(entry('late', expired), 1000);
    fake.tick(10);
    queue.add(entry('early', expired), 50);
    fake.tick(50);
    expect(expired).toEqual(['early']);
    fake.tick(939);
    expect(expired).toEqual(['early']);
    fake.tick(1);
    expect(expired).toEqual(['early', 'late']);
  });

  it('never expires an entry that was removed (its call settled)', () => {
    const { fake, queue } = fakeQueue();
    const expired: string[] = [];
    const settled = entry('settled', expired);
    queue.add(settled, 100);
    queue.add(entry('other', expired), 200);
    expect(queue.remove(settled)).toBe(true);
    expect(queue.remove(settled)).toBe(false);
    fake.tick(150);
    expect(expired).toEqual([]);
    fake.tick(50);
    expect(expired).toEqual(['other']);
  });

  it('does not expire early when its timer fires before the clock reaches the deadline', () => {
    const { fake, queue, setLag } = fakeQueue();
    const expired: string[] = [];
    queue.add(entry('a', expired), 100);
    setLag(5);
    fake.tick(100);
    expect(expired).toEqual([]);
    fake.tick(4);
    expect(expired).toEqual([]);
    fake.tick(1);
    expect(expired).toEqual(['a']);
  });

  it('keeps each deadline among many added and removed in any order', () => {
    const { fake, queue } = fakeQueue();
    const expired: string[] = [];
    const entries = Array.from({ length: 200 }, (_, i) => ({ i, e: entry(String(i), expired), ms: 1 + ((i * 7919) % 500) }));
    for (const { e, ms } of entries) queue.add(e, ms);
    for (const { i, e } of entries) if (i % 3 === 0) queue.remove(e);
    const kept = entries.filter(({ i }) => i % 3 !== 0);
    for (let t = 1; t <= 500; t++) {
      fake.tick(1);
      const due = kept.filter(({ ms }) => ms <= t).map(({ i }) => String(i));
      expect([...expired].sort()).toEqual(due.sort());
    }
  });

  it('keeps the next deadline on time when an expiring entry queues a later one', () => {
    const { fake, queue } = fakeQueue();
    const expired: string[] = [];
    queue.add(entry('later', expired), 300);
    queue.add(entry('next', expired), 150);
    queue.add({ deadlineAt: 0, queueIndex: -1, expire: () => (expired.push('first'), queue.add(entry('chained', expired), 100)) }, 100);
    fake.tick(100);
    expect(expired).toEqual(['first']);
    fake.tick(49);
    expect(expired).toEqual(['first']);
    fake.tick(1);
    expect(expired).toEqual(['first', 'next']);
    fake.tick(50);
    expect(expired).toEqual(['first', 'next', 'chained']);
    fake.tick(100);
    expect(expired).toEqual(['first', 'next', 'chained', 'later']);
  });

  it('holds the event loop only while something is queued, and clear() leaves no timer', () => {
    const { fake, queue, armed } = fakeQueue();
    const expired: string[] = [];
    const a = entry('a', expired);
    queue.add(a, 100);
    expect(fake.countTimers()).toBe(1);
    queue.remove(a);
    expect(armed()!.hasRef()).toBe(false);
    queue.add(entry('b', expired), 200);
    expect(fake.countTimers()).toBe(1);
    expect(armed()!.hasRef()).toBe(true);
    queue.clear();
    expect(fake.countTimers()).toBe(0);
    fake.tick(1000);
    expect(expired).toEqual([]);
  });
});

describe('PendingRequests on a DeadlineQueue', () => {
  const timedOut = (peer: string, timeoutMs: number, what: string) => new Error(`${what} on "${peer}" timed out after ${timeoutMs} ms`);
  const options = { timeoutMs: 100, what: 'Call of "echo"', parse: (body: unknown) => body };

  it('rejects at the deadline with the reporter error, and a late response finds nothing waiting', async () => {
    const { fake, queue } = fakeQueue();
    const requests = new PendingRequests();
    const outcome = requests.add(1, 'b', options, queue, timedOut).then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.message }),
    );
    fake.tick(99);
    expect(requests.size).toBe(1);
    fake.tick(1);
    expect(await outcome).toEqual({ error: 'Call of "echo" on "b" timed out after 100 ms' });
    expect(requests.settle(1, 'late')).toBe(false);
  });

  it('settles once with the response, and its deadline never fires after', async () => {
    const { fake, queue } = fakeQueue();
    const requests = new PendingRequests();
    let reported = 0;
    const outcome = requests.add(1, 'b', options, queue, (...args) => (reported++, timedOut(...args)));
    expect(requests.settle(1, 'ok')).toBe(true);
    expect(queue.size).toBe(0);
    fake.tick(1000);
    expect(await outcome).toBe('ok');
    expect(reported).toBe(0);
  });

  it('leaves the queue when the link ends', async () => {
    const { queue } = fakeQueue();
    const requests = new PendingRequests();
    const outcome = requests.add(1, 'b', options, queue, timedOut).catch((error: Error) => error.message);
    requests.failAll(() => new Error('link ended'));
    expect(await outcome).toBe('link ended');
    expect(queue.size).toBe(0);
  });
});
