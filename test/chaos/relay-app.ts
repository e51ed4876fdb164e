// One node's relay (relay.ts) as a process in the node's namespace, told what to delay over IPC by
// the harness (relay-member.ts). Its log says, at each heal, what every delayed direction measured.
import { hostNow } from './clock.js';
import type { Delay } from './delay-line.js';
import { Relay, type DelayStats, type Direction, type RelayTarget } from './relay.js';
import { Prng } from '../sim/prng.js';

export interface RelaySpec {
  readonly node: string;
  readonly listenHost: string;
  readonly targets: readonly RelayTarget[];
  readonly seed: number;
}

/** What the harness tells a relay; each is confirmed by `done` with the command's id. */
export type RelayOrder = { kind: 'delay'; links: readonly { target: string; direction: Direction; delay: Delay }[] } | { kind: 'heal' };
export type RelayCommand = RelayOrder & { id: number };
export type RelayReply = { kind: 'listening' } | { kind: 'done'; id: number };

const spec = JSON.parse(process.env.CHAOS_RELAY ?? '{}') as RelaySpec;
const log = (message: string) => void process.stdout.write(`${hostNow().toFixed(3)} ${spec.node} relay: ${message}\n`);
const reply = (message: RelayReply) => void process.send?.(message);
const ms = (n: number) => n.toFixed(1);
/** `up` is what this node sends on the connections it dialled to the target; `down` what comes back. */
const link = (target: string, direction: Direction) => (direction === 'up' ? `${spec.node}→${target}` : `${target}→${spec.node}`);
const describe = (s: DelayStats) =>
  `${link(s.target, s.direction)} (${spec.node}'s dials) set ${ms(s.delay.baseMs)}+≤${ms(s.delay.jitterMs)} ms: ` +
  (s.chunks === 0 ? 'no chunks' : `${s.chunks} chunks delayed ${ms(s.minMs)}–${ms(s.maxMs)} ms (mean ${ms(s.meanMs)})`);

const relay = new Relay({ listenHost: spec.listenHost, targets: spec.targets, now: hostNow, random: new Prng(spec.seed).next });

process.on('message', (command: RelayCommand) => {
  if (command.kind === 'delay') {
    for (const { target, direction, delay } of command.links) relay.setDelay(target, direction, delay);
    log(`delay on: ${command.links.map((l) => `${link(l.target, l.direction)} ${ms(l.delay.baseMs)}+≤${ms(l.delay.jitterMs)} ms`).join(', ')}`);
  } else {
    for (const stats of relay.heal()) log(describe(stats));
  }
  reply({ kind: 'done', id: command.id });
});
// The harness going away ends the relay too, so none outlives a failed run.
process.on('disconnect', () => process.exit(0));

await relay.listen();
log(`listening on ${spec.targets.map((t) => `${spec.listenHost}:${t.listenPort} → ${t.name} ${t.host}:${t.port}`).join(', ')}`);
reply({ kind: 'listening' });
