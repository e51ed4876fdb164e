import { describe, expect, it } from 'vitest';
import { BATCH_TARGET_BYTES, OutgoingFrames } from './outgoing-frames.js';

const frame = (bytes: number, fill: number) => Buffer.alloc(bytes, fill);
const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('OutgoingFrames', () => {
  it('joins the frames of one tick into one write at the end of the tick, in order', async () => {
    const writes: Buffer[] = [];
    const outgoing = new OutgoingFrames((batch) => writes.push(batch));
    outgoing.add(frame(3, 1));
    outgoing.add(frame(2, 2));
    expect(writes).toEqual([]);
    expect(outgoing.pendingBytes).toBe(5);
    await nextTick();
    expect(writes).toEqual([Buffer.from([1, 1, 1, 2, 2])]);
    expect(outgoing.pendingBytes).toBe(0);
  });

  it('lets a batch leave once it holds the target size, and a larger frame alone', () => {
    const writes: Buffer[] = [];
    const outgoing = new OutgoingFrames((batch) => writes.push(batch));
    const half = BATCH_TARGET_BYTES / 2;
    outgoing.add(frame(half, 1));
    outgoing.add(frame(half, 2));
    expect(writes.map((w) => w.length)).toEqual([BATCH_TARGET_BYTES]);
    outgoing.add(frame(1, 3));
    outgoing.add(frame(2 * BATCH_TARGET_BYTES, 4));
    expect(writes.map((w) => w.length)).toEqual([BATCH_TARGET_BYTES, 1, 2 * BATCH_TARGET_BYTES]);
    expect(outgoing.pendingBytes).toBe(0);
  });

  it('hands the frames queued before a switch to the old writer, and later ones to the new', async () => {
    const plain: Buffer[] = [];
    const sealed: Buffer[] = [];
    const outgoing = new OutgoingFrames((batch) => plain.push(batch));
    outgoing.add(frame(2, 1));
    outgoing.switchTo((batch) => sealed.push(batch));
    outgoing.add(frame(2, 2));
    await nextTick();
    expect(plain).toEqual([Buffer.from([1, 1])]);
    expect(sealed).toEqual([Buffer.from([2, 2])]);
  });
});
