/**
 * The part of @markwylde/liferaft 1.4.0 (no types of its own) that the bench uses: a Raft node
 * that is an EventEmitter (eventemitter3), with the transport left to a subclass (`initialize`, `write`).
 */
declare module '@markwylde/liferaft' {
  namespace LifeRaft {
    /** What liferaft sends: its state, term, address and leader, a type and optional data. */
    interface Packet {
      readonly state: number;
      readonly term: number;
      readonly address: string;
      readonly type: string;
      readonly leader: string;
      readonly data?: unknown;
    }
    /** How the transport answers a received packet; liferaft sometimes passes a promise of one. */
    type Reply = (packet?: Packet | Promise<Packet>) => void;
    /** How the transport reports a written packet's answer (or its failure) back to liferaft. */
    type Written = (error?: Error, reply?: Packet) => void;
    interface Options {
      address?: string;
      'election min'?: number | string;
      'election max'?: number | string;
      heartbeat?: number | string;
      threshold?: number;
      state?: number;
      write?: (packet: Packet, written: Written) => void;
    }
  }

  class LifeRaft {
    static readonly states: readonly string[];
    static readonly STOPPED: number;
    static readonly LEADER: number;
    static readonly CANDIDATE: number;
    static readonly FOLLOWER: number;
    static readonly CHILD: number;
    constructor(address: string, options?: LifeRaft.Options);
    readonly address: string;
    readonly state: number;
    readonly term: number;
    readonly leader: string;
    readonly election: { readonly min: number; readonly max: number };
    readonly beat: number;
    /** Adds a peer: a child instance of the same class whose `write` sends to that peer. */
    join(address: string): LifeRaft | undefined;
    end(): boolean;
    on(event: string, listener: (...args: any[]) => void): this;
    once(event: string, listener: (...args: any[]) => void): this;
    emit(event: string, ...args: unknown[]): boolean;
  }

  export = LifeRaft;
}
