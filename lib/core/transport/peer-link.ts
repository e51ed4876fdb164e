import type { Socket } from 'node:net';
import type { Clock } from '../clock.js';
import { ProtocolError, type ViolationReason } from '../errors.js';
import { decodeBody, encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from './frame-codec.js';
import { FrameProtection, SEAL_OVERHEAD_BYTES, type FrameKeys } from './frame-protection.js';
import type { Handshake } from './handshake.js';
import { parseHandshakeFrame } from './handshake-decoding.js';
import { OutgoingFrames } from './outgoing-frames.js';
import { PendingRequests } from './pending-requests.js';
import { parseMessage, REFUSAL_REASONS, type Message, type RefusalReason, type SessionMessage } from './protocol.js';
import type { ServedRequest } from './served-request.js';

/**
 * Handshake messages are a few hundred bytes; until a peer has passed the handshake it may not
 * make this node buffer more than this per connection.
 */
export const HANDSHAKE_MAX_FRAME_BYTES = 4096;

/**
 * How much may wait in memory for a peer that does not read: a few of the largest frames, at
 * least 64 MiB. A peer that stops reading (a bug, a frozen process behind a live kernel) would
 * otherwise make this node buffer without bound.
 */
export function writeLimitBytes(maxFrameBytes: number): number {
  return Math.max(64 * 1024 * 1024, 4 * maxFrameBytes);
}

/** Why a link ended; exactly one per link. */
export type LinkEnd =
  | { readonly kind: 'violation'; readonly reason: ViolationReason; readonly detail: string }
  /** The peer refused this node in the handshake and said why (a setting differs between them). */
  | { readonly kind: 'refused'; readonly reason: RefusalReason }
  | { readonly kind: 'closed'; readonly error: NodeJS.ErrnoException | undefined }
  /** This node failed handling the peer's message: a bug here, never the peer's fault. */
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'idle' }
  /** The peer stopped reading: more than the write limit is queued for it. */
  | { readonly kind: 'stalled'; readonly queuedBytes: number }
  | { readonly kind: 'replaced' }
  /** A spare link closed by its dialler: the pair's other link carries the traffic (issue #15). */
  | { readonly kind: 'retired' }
  | { readonly kind: 'shutdown' };

export interface LinkHandler {
  established(link: PeerLink): void;
  message(link: PeerLink, message: SessionMessage): void;
  ended(link: PeerLink, end: LinkEnd): void;
}

export interface LinkOptions {
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly clock: Clock;
}

/**
 * One connection to one peer, inbound or outbound: framing, the handshake under a deadline, then
 * session messages. Any fault destroys this socket alone and is reported once through `ended`;
 * nothing here throws into the event loop.
 */
export class PeerLink {
  /** Requests this node sent over this link, awaiting responses. */
  readonly requests = new PendingRequests();
  /** Requests served for the peer over this link; cancelled when the link ends (issue #9). */
  readonly serving = new Set<ServedRequest>();
  lastHeard: number;
  lastSent: number;
  /** When the handshake completed (clock ms); undefined before. */
  establishedAt: number | undefined;
  /** Whether any byte came from the peer on this connection. */
  heardAnything = false;
  private readonly decoder: FrameDecoder;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private end: LinkEnd | undefined;
  private protection: FrameProtection | undefined;
  private readonly outgoing = new OutgoingFrames((batch) => this.writeBatch(batch));

  constructor(
    readonly socket: Socket,
    readonly direction: 'inbound' | 'outbound',
    /**
     * The peer's address for logs, taken when the connection was accepted or dialled: a destroyed
     * socket no longer knows it, and every violation line printed "?:?" (issue #10 finding 8).
     */
    readonly remote: string,
    private readonly handshake: Handshake,
    private readonly options: LinkOptions,
    private readonly handler: LinkHandler,
  ) {
    this.decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
    this.lastHeard = this.lastSent = options.clock.now();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.finish({ kind: 'closed', error }));
    socket.on('close', () => this.finish({ kind: 'closed', error: undefined }));
    this.handshakeTimer = setTimeout(
      () =>
        this.destroy({
          kind: 'violation',
          reason: 'handshake-timeout',
          detail: `no handshake within ${options.handshakeTimeoutMs} ms`,
        }),
      options.handshakeTimeoutMs,
    );
    for (const message of handshake.start()) this.send(message);
  }

  /** For an outbound link, the node it was dialled to reach. */
  get dialled(): string | undefined {
    return this.handshake.dialled;
  }

  /** The peer's node name, once the handshake is complete. */
  get peer(): string | undefined {
    return this.handshake.established;
  }

  get ended(): boolean {
    return this.end !== undefined;
  }

  /** Queues a message; false if the link has ended. */
  send(message: Message): boolean {
    return this.sendFrame(encodeFrame(message));
  }

  sendFrame(frame: Buffer): boolean {
    if (this.end) return false;
    const queuedBytes = this.socket.writableLength + this.outgoing.pendingBytes + frame.length;
    if (queuedBytes > writeLimitBytes(this.options.maxFrameBytes)) {
      this.finish({ kind: 'stalled', queuedBytes });
      return false;
    }
    this.lastSent = this.options.clock.now();
    // Frames queued in one tick (results of a batch of calls, a heartbeat round) leave together.
    this.outgoing.add(frame);
    return true;
  }

  /** Cancels every request served over this link (it ended): signals abort, deadline timers go. */
  cancelServing(reason: () => unknown): void {
    for (const served of [...this.serving]) served.cancel(reason());
    this.serving.clear();
  }

  destroy(end: LinkEnd): void {
    this.finish(end);
  }

  private onData(chunk: Buffer): void {
    if (this.end) return;
    this.heardAnything = true;
    this.lastHeard = this.options.clock.now();
    this.decoder.feed(chunk);
    try {
      // One frame at a time: the frame limit rises when the handshake completes, between frames.
      for (let body = this.decoder.nextBody(); body; body = this.decoder.nextBody()) {
        if (this.peer === undefined) {
          this.onMessage(parseHandshakeFrame(body));
        } else if (this.protection) {
          for (const inner of this.protection.openFrames(body)) {
            this.onMessage(parseMessage(decodeBody(inner)));
            if (this.end) return;
          }
        } else {
          this.onMessage(parseMessage(decodeBody(body)));
        }
        if (this.end) return;
      }
    } catch (error) {
      // Nothing thrown here may reach the event loop: the process must outlive any connection.
      this.finish(
        error instanceof ProtocolError
          ? { kind: 'violation', reason: error.reason, detail: error.message }
          : { kind: 'failed', error },
      );
    }
  }

  private onMessage(message: Message): void {
    if (this.peer !== undefined) {
      if (message.type === 'hello' || message.type === 'auth' || message.type === 'refuse') {
        throw new ProtocolError('unexpected-message', `"${message.type}" after the handshake.`);
      }
      this.handler.message(this, message);
      return;
    }
    if (message.type === 'refuse') {
      this.finish({ kind: 'refused', reason: message.reason });
      return;
    }
    for (const reply of this.handshake.receive(message)) this.send(reply);
    if (this.peer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
      // Issue #10 finding 6: in secret mode every later frame, both ways, is sealed.
      const keys = this.handshake.frameKeys();
      if (keys) this.startSealing(keys);
      else this.decoder.maxFrameBytes = this.options.maxFrameBytes;
      this.establishedAt = this.options.clock.now();
      this.handler.established(this);
    }
  }

  /**
   * Issue #12: a peer refused in its handshake for a setting that differs (secret, version, node
   * list, name, certificate) is told the reason before the socket closes, so both sides can log
   * what to fix. A small frame on an idle socket leaves in this write, before the destroy.
   */
  private tellRefusal(end: LinkEnd): void {
    if (end.kind !== 'violation' || this.peer !== undefined || this.socket.destroyed) return;
    const reason = REFUSAL_REASONS.find((r) => r === end.reason);
    if (reason) this.socket.write(encodeFrame({ type: 'refuse', reason }));
  }

  private writeBatch(batch: Buffer): void {
    if (!this.end) this.socket.write(batch);
  }

  /** A record holds at most one frame of the largest size, header included, plus its tag. */
  private startSealing(keys: FrameKeys): void {
    const protection = (this.protection = new FrameProtection(keys));
    this.outgoing.switchTo((batch) => {
      if (this.end) return;
      this.socket.cork();
      for (const part of protection.sealParts(batch)) this.socket.write(part);
      this.socket.uncork();
    });
    this.decoder.maxFrameBytes = this.options.maxFrameBytes + FRAME_HEADER_BYTES + SEAL_OVERHEAD_BYTES;
  }

  /** The single exit: the socket goes, timers go, and the owner hears why, once. */
  private finish(end: LinkEnd): void {
    if (this.end) return;
    this.end = end;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.tellRefusal(end);
    this.socket.destroy();
    this.handler.ended(this, end);
  }
}
