/**
 * A batch leaves once it holds this many bytes, without waiting for the end of the tick. The peer
 * starts decoding the first calls of a burst while this side still encodes the rest, so on two
 * cores both processes work at once instead of taking turns (issue #15: at 64 in flight, one
 * batch per tick left each side idle about 40 % of the time). A larger frame is a batch of its own.
 */
export const BATCH_TARGET_BYTES = 4 * 1024;

/**
 * Collects the frames a link writes in one tick and hands them on joined into one buffer: at the
 * end of the tick, or as soon as the batch has reached BATCH_TARGET_BYTES. One write of one buffer
 * costs far less than one `socket.write` per frame (each a queued request through the socket's
 * Writable, then a writev of as many pieces); the tick ends before any I/O, so no frame waits for
 * a read. In secret mode each batch is one sealed record (frame-protection.ts).
 */
export class OutgoingFrames {
  private frames: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;
  private readonly flushAtTickEnd = () => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private write: (batch: Buffer) => void) {}

  /** Bytes queued here, not yet handed to the socket. */
  get pendingBytes(): number {
    return this.bytes;
  }

  add(frame: Buffer): void {
    if (this.bytes > 0 && this.bytes + frame.length > BATCH_TARGET_BYTES) this.flush();
    this.frames.push(frame);
    this.bytes += frame.length;
    if (this.bytes >= BATCH_TARGET_BYTES) return this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.flushAtTickEnd);
  }

  /**
   * Hands the queued frames on now, then sends later batches through `write`: the frames of the
   * handshake go as they are, every later one sealed (issue #10 finding 6).
   */
  switchTo(write: (batch: Buffer) => void): void {
    this.flush();
    this.write = write;
  }

  private flush(): void {
    if (this.bytes === 0) return;
    const batch = this.frames.length === 1 ? this.frames[0]! : Buffer.concat(this.frames, this.bytes);
    this.frames = [];
    this.bytes = 0;
    this.write(batch);
  }
}
