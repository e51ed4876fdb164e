import type { Socket } from 'node:net';
import { pack, unpack } from 'msgpackr';

/**
 * The floor of the calls bench: the least a TCP remote call can do with msgpackr. Frames are a
 * 4-byte big-endian length and a msgpackr body; chunks are joined once per frame at most.
 */
export function writeFrame(socket: Socket, value: unknown): void {
  const body = pack(value);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  socket.write(Buffer.concat([header, body]));
}

export function onFrames(socket: Socket, handle: (value: unknown) => void): void {
  const chunks: Buffer[] = [];
  let buffered = 0;
  /** Removes the first `n` buffered bytes, copying only when they span chunks. */
  const take = (n: number): Buffer => {
    const head = chunks[0]!;
    if (head.length >= n) {
      if (head.length === n) chunks.shift();
      else chunks[0] = head.subarray(n);
      buffered -= n;
      return head.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = chunks[0]!;
      const count = Math.min(n - filled, chunk.length);
      chunk.copy(out, filled, 0, count);
      filled += count;
      if (count === chunk.length) chunks.shift();
      else chunks[0] = chunk.subarray(count);
    }
    buffered -= n;
    return out;
  };
  let bodyLength: number | undefined;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (bodyLength === undefined) {
        if (buffered < 4) return;
        bodyLength = take(4).readUInt32BE(0);
      }
      if (buffered < bodyLength) return;
      const body = take(bodyLength);
      bodyLength = undefined;
      handle(unpack(body));
    }
  });
}
