import type { ChaosNode } from './chaos-node.js';
import type { ChaosNetwork, Drop } from './network.js';
import type { Prng } from '../sim/prng.js';
import type { DelayedLink, LinkDelays } from './relay-member.js';

/** A fault: started, held for its duration by the harness, then healed. */
export interface Nemesis {
  readonly name: string;
  start(): Promise<void>;
  heal(): Promise<void>;
}

export interface NemesisContext {
  readonly prng: Prng;
  readonly nodes: readonly ChaosNode[];
  readonly network: ChaosNetwork;
  /** The node that ticked last inside its lease, if any. */
  leader(): string | undefined;
  /** Store modes: the store's member of the network (named by the mode: redis, postgres, mysql, kubernetes). */
  readonly store?: string;
  /** Draw only these kinds (`--nemeses`), to chase one fault. */
  readonly only?: readonly string[];
  /** The relays' delays on links (relay-member.ts), for `delay`. */
  readonly delays: LinkDelays;
}

const both = (a: string, b: string): Drop[] => [
  { from: a, to: b },
  { from: b, to: a },
];
/** Every link between the two groups, both ways. */
const between = (left: readonly string[], right: readonly string[]): Drop[] => left.flatMap((a) => right.flatMap((b) => both(a, b)));

function network(ctx: NemesisContext, name: string, drops: Drop[]): Nemesis {
  return {
    name,
    start: async () => ctx.network.apply(drops),
    heal: async () => ctx.network.heal(),
  };
}

function targetOf(ctx: NemesisContext, avoid: ReadonlySet<string>): { name: string; label: string } {
  const free = ctx.nodes.map((n) => n.name).filter((n) => !avoid.has(n));
  // Both draws are always made, so the PRNG stays in step whoever leads: a run replays from its seed.
  const wantLeader = ctx.prng.next() < 0.5;
  const name = ctx.prng.pick(free);
  const leader = ctx.leader();
  if (wantLeader && leader && !avoid.has(leader)) return { name: leader, label: `leader ${leader}` };
  return { name, label: name };
}

type Maker = (ctx: NemesisContext, avoid: Set<string>) => Nemesis;

/** A shuffled copy (Fisher–Yates) drawn from the run's PRNG. */
function shuffle<T>(prng: Prng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const names = (ctx: NemesisContext) => ctx.nodes.map((n) => n.name);
/** The leader, else a node drawn at random; the draw is made either way, to keep the PRNG in step. */
const leaderOrAny = (ctx: NemesisContext) => {
  const any = ctx.prng.pick(names(ctx));
  return ctx.leader() ?? any;
};

/** Partitions among the nodes (Jepsen's partition nemeses). */
const partitions: Record<string, Maker> = {
  'isolate-leader': (ctx) => {
    const leader = leaderOrAny(ctx);
    return network(ctx, `isolate(${leader})`, between([leader], names(ctx).filter((n) => n !== leader)));
  },
  halves: (ctx) => {
    const order = shuffle(ctx.prng, names(ctx));
    const cut = Math.floor(order.length / 2);
    return network(ctx, `halves(${order.slice(0, cut)}|${order.slice(cut)})`, between(order.slice(0, cut), order.slice(cut)));
  },
  // Each node sees a majority, and no two see the same one: the ring cuts every link but those to
  // its two neighbours. With 3 nodes that leaves one link cut (a line a-b-c).
  'majority-ring': (ctx) => {
    const ring = shuffle(ctx.prng, names(ctx));
    const n = ring.length;
    const drops: Drop[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const distance = Math.min(j - i, n - (j - i));
        if (distance > 1 || (n === 3 && i === 0 && j === 2)) drops.push(...both(ring[i]!, ring[j]!));
      }
    }
    return network(ctx, `majority-ring(${ring.join('-')})`, drops);
  },
  // Two halves that cannot talk, and one node that talks to both.
  bridge: (ctx) => {
    const [middle, ...rest] = shuffle(ctx.prng, names(ctx));
    const cut = Math.floor(rest.length / 2);
    return network(ctx, `bridge(${rest.slice(0, cut)}|${middle}|${rest.slice(cut)})`, between(rest.slice(0, cut), rest.slice(cut)));
  },
  'one-way': (ctx) => {
    const leader = leaderOrAny(ctx);
    const others = names(ctx).filter((n) => n !== leader);
    const outbound = ctx.prng.next() < 0.5;
    const drops = others.map((o) => (outbound ? { from: leader, to: o } : { from: o, to: leader }));
    return network(ctx, outbound ? `one-way(${leader}→others lost)` : `one-way(others→${leader} lost)`, drops);
  },
  // Variable queueing delay (up to 0.3–1.5 s) on everything one node sends.
  slow: (ctx) => {
    const node = leaderOrAny(ctx);
    const kbit = Math.round(ctx.prng.between(8, 48));
    const queueMs = Math.round(ctx.prng.between(300, 1500));
    return {
      name: `slow(${node}, ${kbit}kbit, queue≤${queueMs}ms)`,
      start: async () => ctx.network.slow(node, kbit, queueMs),
      heal: async () => ctx.network.heal(),
    };
  },
  duplicate: (ctx) => {
    const probability = ctx.prng.between(0.2, 1);
    const all = names(ctx);
    const drops = all.flatMap((a) => all.filter((b) => b !== a).map((b) => ({ from: a, to: b, probability, duplicate: true })));
    return network(ctx, `duplicate(${(probability * 100).toFixed(0)}%)`, drops);
  },
  loss: (ctx) => {
    const probability = ctx.prng.between(0.2, 0.6);
    const all = names(ctx);
    const drops = all.flatMap((a) => all.filter((b) => b !== a).map((b) => ({ from: a, to: b, probability })));
    return network(ctx, `loss(${(probability * 100).toFixed(0)}%)`, drops);
  },
};

/**
 * A fixed delay plus jitter (20–300 ms, and up to as much again) on the links of one node both
 * ways, on a random set of one-way links, or on all of them, each link drawn on its own. Links and
 * directions are delayed independently, so messages overtake each other across connections: the
 * reordering the product can see (TCP keeps the order within one connection).
 */
const delays: Record<string, Maker> = {
  delay: (ctx) => {
    const all = [...names(ctx), ...(ctx.store ? [ctx.store] : [])];
    const pairs = all.flatMap((from) => all.filter((to) => to !== from).map((to) => ({ from, to })));
    const node = leaderOrAny(ctx);
    const scope = ctx.prng.pick(['node', 'some', 'all'] as const);
    const some = pairs.filter(() => ctx.prng.chance(0.5));
    const chosen = scope === 'node' ? pairs.filter((p) => p.from === node || p.to === node) : scope === 'all' ? pairs : some.length > 0 ? some : [ctx.prng.pick(pairs)];
    const links: DelayedLink[] = chosen.map((p) => {
      const baseMs = Math.round(ctx.prng.between(20, 300));
      return { ...p, delay: { baseMs, jitterMs: Math.round(ctx.prng.between(0, baseMs)) } };
    });
    const bases = links.map((l) => l.delay.baseMs);
    const where = scope === 'node' ? `${node}↔all` : scope === 'all' ? 'all' : links.map((l) => `${l.from}→${l.to}`).join(' ');
    return {
      name: `delay(${where}, ${Math.min(...bases)}–${Math.max(...bases)}ms + jitter≤base)`,
      start: () => ctx.delays.apply(links),
      heal: () => ctx.delays.heal(),
    };
  },
};

/** Store modes: the lease store cut off from some nodes. Names carry the store's (`redis-cut(n1)`). */
const storePartitions: Record<string, Maker> = {
  'store-isolate-leader': (ctx) => {
    const leader = leaderOrAny(ctx);
    return network(ctx, `${ctx.store}-cut(${leader})`, both(leader, ctx.store!));
  },
  'store-cut-some': (ctx) => {
    const order = shuffle(ctx.prng, names(ctx));
    const cut = order.slice(0, 1 + ctx.prng.int(order.length - 1));
    return network(ctx, `${ctx.store}-cut(${cut})`, between(cut, [ctx.store!]));
  },
  'store-loss': (ctx) => {
    const probability = ctx.prng.between(0.2, 0.6);
    const drops = names(ctx).flatMap((n) => both(n, ctx.store!).map((d) => ({ ...d, probability })));
    return network(ctx, `${ctx.store}-loss(${(probability * 100).toFixed(0)}%)`, drops);
  },
};

const processes: Record<string, Maker> = {
  // SIGSTOP for the whole fault (1–4 s), far longer than the lease (T/2).
  pause: (ctx, avoid) => {
    const target = targetOf(ctx, avoid);
    avoid.add(target.name);
    const node = ctx.nodes.find((n) => n.name === target.name)!;
    return { name: `pause(${target.label})`, start: async () => node.pause(), heal: async () => node.resume() };
  },
  kill: (ctx, avoid) => {
    const target = targetOf(ctx, avoid);
    avoid.add(target.name);
    const node = ctx.nodes.find((n) => n.name === target.name)!;
    const disk = node.spec.dataDir ? 'dataDir' : 'no dataDir';
    return { name: `kill(${target.label}, ${disk})`, start: () => node.kill(), heal: async () => node.spawn() };
  },
};

/** One nemesis, or with a chance of 1 in 4 a pair of them together. */
export function chooseNemesis(ctx: NemesisContext): Nemesis {
  // Store modes keep halves (they cut remote calls) and slow links (they slow the store's traffic too).
  const catalogue = { ...(ctx.store ? { ...storePartitions, halves: partitions.halves!, slow: partitions.slow! } : partitions), ...delays, ...processes };
  const kinds = Object.keys(catalogue).filter((k) => !ctx.only || ctx.only.includes(k));
  if (kinds.length === 0) throw new Error(`chaos: no nemesis among ${ctx.only}; there are ${Object.keys(catalogue)}`);
  const avoid = new Set<string>();
  const first = catalogue[ctx.prng.pick(kinds)]!(ctx, avoid);
  if (ctx.prng.next() >= 0.25) return first;
  const second = catalogue[ctx.prng.pick(kinds)]!(ctx, avoid);
  return {
    name: `${first.name}+${second.name}`,
    start: async () => {
      await first.start();
      await second.start();
    },
    heal: async () => {
      await first.heal();
      await second.heal();
    },
  };
}
