import { promises as dns, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { inspect } from 'node:util';
import { errorText } from '../logger.js';

/**
 * Resolves a node's host name to its addresses; `dns.promises.lookup` unless a test (or an
 * application with its own resolver) passes another. What it answers is treated as hostile input:
 * anything but a unicast IP address is refused (hostAddress).
 */
export type HostLookup = (hostname: string) => Promise<LookupAddress | readonly LookupAddress[]>;

export const systemLookup: HostLookup = (hostname) => dns.lookup(hostname, { all: true });

/** Why a name gave no address to dial: said in the log line, and counted. */
export class LookupFailure extends Error {
  readonly code = 'ERR_CLUSTER_LOOKUP';

  constructor(why: string) {
    // A resolver's error text is not ours to trust either: one line, bounded.
    super(why.length > 300 ? `${why.slice(0, 300)}…` : why);
    this.name = 'LookupFailure';
  }
}

// A DNS answer must name a peer, never "this host" (0.0.0.0 and :: connect to ourselves on Linux),
// a multicast group or the broadcast address.
const NOT_A_PEER = new BlockList();
NOT_A_PEER.addSubnet('0.0.0.0', 8, 'ipv4');
NOT_A_PEER.addSubnet('224.0.0.0', 4, 'ipv4');
NOT_A_PEER.addAddress('255.255.255.255', 'ipv4');
NOT_A_PEER.addAddress('::', 'ipv6');
NOT_A_PEER.addSubnet('ff00::', 8, 'ipv6');

/** At most this many entries of an answer are looked at. */
const MAX_ANSWERS = 16;

/** The first usable address in a lookup's answer, or a LookupFailure saying what came instead. */
export function hostAddress(answer: unknown): { address: string; family: 4 | 6 } {
  try {
    const entries: unknown[] = Array.isArray(answer) ? answer.slice(0, MAX_ANSWERS) : [answer];
    for (const entry of entries) {
      const address = typeof entry === 'object' && entry !== null ? (entry as { address?: unknown }).address : undefined;
      // The family is derived from the address itself; the answer's own `family` is not trusted.
      const family = typeof address === 'string' ? isIP(address) : 0;
      if (family === 4 || family === 6) {
        if (!NOT_A_PEER.check(address as string, family === 4 ? 'ipv4' : 'ipv6')) return { address: address as string, family };
      }
    }
  } catch (error) {
    throw new LookupFailure(`reading the answer threw: ${errorText(error)}`);
  }
  throw new LookupFailure(`the answer has no unicast IP address: ${describe(answer)}`);
}

/** A bounded, one-line picture of a hostile value, for the log. */
function describe(value: unknown): string {
  try {
    const text = inspect(value, { depth: 2, maxArrayLength: 4, maxStringLength: 64, breakLength: Infinity, getters: false });
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  } catch {
    return 'an unprintable value';
  }
}

export interface DialLookupOptions {
  /** A name that has not resolved by then fails (the rest of the handshake deadline is the dial's). */
  readonly timeoutMs: number;
  /** Aborted when the socket closes: a lookup still pending is then forgotten, its timer cleared. */
  readonly signal: AbortSignal;
  /** Every failed lookup, before the dial fails with it. */
  readonly onFailure: (failure: LookupFailure) => void;
}

/**
 * Issue #14: the `lookup` of one dial (net.connect's option), so a name is resolved again at every
 * dial and a pod back under a new IP is found. A failed, late or bogus answer fails the dial with a
 * LookupFailure; the dial's usual path then counts it and re-dials with backoff (DESIGN §6).
 */
export function dialLookup(lookup: HostLookup, options: DialLookupOptions): LookupFunction {
  return (hostname, dnsOptions, callback) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const settle = (result: { address: string; family: 4 | 6 } | LookupFailure) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (options.signal.aborted) return;
      if (result instanceof LookupFailure) {
        options.onFailure(result);
        return callback(result, '', 0);
      }
      // net asks for every address when it may try several families (autoSelectFamily).
      if ((dnsOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [result]);
      callback(null, result.address, result.family);
    };
    const onAbort = () => {
      done = true;
      clearTimeout(timer);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => settle(new LookupFailure(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(lookup(hostname));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (value) => settle(toAddress(value)),
      (error: unknown) => settle(new LookupFailure(error instanceof Error ? errorText(error) : describe(error))),
    );
  };
}

function toAddress(answer: unknown): { address: string; family: 4 | 6 } | LookupFailure {
  try {
    return hostAddress(answer);
  } catch (error) {
    return error as LookupFailure;
  }
}
