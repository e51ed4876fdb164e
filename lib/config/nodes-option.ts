import { isIP } from 'node:net';
import { MAX_NODE_NAME_LENGTH } from '../core/node-name.js';
import type { ClusterNodeOptions } from './cluster-options.js';
import { fail } from './option-checks.js';

/** A checked `nodes` entry: its host, whichever way it was spelled, is in `ip`. */
export type ParsedNodeOptions = ClusterNodeOptions & { ip: string };

const EXAMPLE = 'node1@10.0.0.1:7000,node2@10.0.0.2:7000';

/**
 * The cluster's members from any form a deployment gives them, checked as the `nodes` option is
 * (unique names and addresses, ports 1-65535), or a ClusterConfigError naming the entry:
 *
 * - the string `name@host:port,name@host:port` (entries separated by commas or whitespace; the
 *   host a DNS name or an IP, an IPv6 host in brackets, `n1@[fd00::1]:7000`; `name=host:port`,
 *   the sample's older spelling, too);
 * - that list as JSON, `[{"name":"node1","host":"10.0.0.1","port":7000}]`, with keys in any case as
 *   the Go package's configuration took them (`Name`, `Ip`, `Port`, `Local`);
 * - an array of `{ name, host, port, bindHost?, local? }` (`ip` is accepted for `host`; a port may
 *   be a numeric string).
 *
 * Each entry comes back with its host as `ip`, the field the cluster reports.
 *
 * `field` names the source in error messages (`nodes` by default, `CLUSTER_NODES` for the env).
 *
 * @example
 * parseNodes(process.env.CLUSTER_NODES ?? 'node1@127.0.0.1:7001,node2@127.0.0.1:7002');
 * // [{ name: 'node1', ip: '127.0.0.1', port: 7001 }, { name: 'node2', ip: '127.0.0.1', port: 7002 }]
 */
export function parseNodes(value: string | readonly unknown[], field = 'nodes'): ParsedNodeOptions[] {
  const entries = typeof value === 'string' ? entriesOf(value, field) : value;
  if (!Array.isArray(entries)) fail(field, `expected an array of { name, host, port } or a string such as "${EXAMPLE}".`);
  return checkNodes(entries, field);
}

function entriesOf(text: string, field: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown[];
    } catch (error) {
      fail(field, `the JSON list does not parse (${(error as Error).message}); or use the form "${EXAMPLE}".`);
    }
  }
  return trimmed
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry, i) => entryOf(entry, i, field));
}

/** `name@host:port`, `name@[v6]:port`, or `name=host:port`; the host a DNS name or an IP. */
function entryOf(entry: string, i: number, field: string): { name: string; ip: string; port: string } {
  const at = entry.search(/[@=]/);
  const bad: (why: string) => never = (why) => fail(field, `entry ${i + 1} ${JSON.stringify(entry)} ${why}; expected name@host:port, as in "${EXAMPLE}".`);
  if (at < 0) bad('has no "@"');
  if (at === 0) bad('has no name before "@"');
  const name = entry.slice(0, at);
  const address = entry.slice(at + 1);
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(address);
  let ip: string;
  let port: string | undefined;
  if (v6) {
    [, ip, port] = v6 as unknown as [string, string, string | undefined];
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) bad('has no port');
    ip = address.slice(0, colon);
    port = address.slice(colon + 1);
    if (ip.includes(':')) bad('has an IPv6 host without brackets (write name@[fd00::1]:7000)');
  }
  if (ip === '') bad('has no host');
  if (port === undefined || port === '') bad('has no port');
  return { name, ip, port };
}

/** Go's encoding/json matches keys without regard to case; so do we, for configs carried over. */
function keyOf(entry: Record<string, unknown>, key: string): unknown {
  if (key in entry) return entry[key];
  const match = Object.keys(entry).find((k) => k.toLowerCase() === key);
  return match === undefined ? undefined : entry[match];
}

function portOf(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

/** Every form ends here: the checks of the `nodes` option, one sentence per rejection. */
export function checkNodes(value: readonly unknown[], source: string): ParsedNodeOptions[] {
  const seenNames = new Set<string>();
  const seenAddresses = new Set<string>();
  return value.map((node: unknown, i): ParsedNodeOptions => {
    const at = `${source}[${i}]`;
    if (typeof node !== 'object' || node === null) fail(at, 'expected { name, host, port }.');
    const entry = node as Record<string, unknown>;
    const name = keyOf(entry, 'name');
    const port = portOf(keyOf(entry, 'port'));
    const local = keyOf(entry, 'local');
    if (typeof name !== 'string' || name.trim() === '') fail(`${at}.name`, 'expected a non-empty string.');
    checkNameLength(`${at}.name`, name);
    if (seenNames.has(name)) fail(`${at}.name`, `"${name}" is used twice; node names must be unique.`);
    seenNames.add(name);
    const ip = hostOf(entry, at, name);
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      fail(`${at}.port`, `${JSON.stringify(port)} is out of range for "${name}"; use 1-65535.`);
    }
    const address = `${ip}:${port}`;
    if (seenAddresses.has(address)) fail(`${at}`, `"${name}" has the same address ${address} as another node.`);
    seenAddresses.add(address);
    const bindHost = bindHostOf(keyOf(entry, 'bindhost'), `${at}.bindHost`, name);
    if (local !== undefined && typeof local !== 'boolean') fail(`${at}.local`, 'expected a boolean.');
    return {
      name, ip, port: port as number,
      ...(bindHost === undefined ? {} : { bindHost }),
      ...(local === undefined ? {} : { local }),
    };
  });
}

/** Issue #14: `host` is the name of the field, `ip` the seed's; both may be given only if they agree. */
function hostOf(entry: Record<string, unknown>, at: string, name: string): string {
  const host = keyOf(entry, 'host');
  const ip = keyOf(entry, 'ip');
  if (host !== undefined && ip !== undefined && host !== ip) {
    fail(`${at}.host`, `"${name}" has host ${JSON.stringify(host)} and ip ${JSON.stringify(ip)}; give one of them (ip is the older spelling of host).`);
  }
  const value = host ?? ip;
  const field = host !== undefined ? 'host' : 'ip';
  if (typeof value !== 'string' || value.trim() === '') fail(`${at}.${field}`, `expected a DNS name or an IP address for "${name}".`);
  return value;
}

/** A listener binds to an address, never to a name that could resolve elsewhere tomorrow. */
function bindHostOf(value: unknown, field: string, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || isIP(value) === 0) {
    fail(field, `expected an IP address for "${name}" to listen on (0.0.0.0 for every IPv4 interface, :: for every interface), got ${JSON.stringify(value)}.`);
  }
  return value;
}

// Election messages and lease values refuse longer names (node-name.ts): such a node could never lead.
export function checkNameLength(field: string, name: string): void {
  if (name.length > MAX_NODE_NAME_LENGTH) {
    fail(field, `"${name.slice(0, 20)}…" is ${name.length} characters long; node names may have at most ${MAX_NODE_NAME_LENGTH}.`);
  }
}
