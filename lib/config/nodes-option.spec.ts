import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../core/errors.js';
import { parseNodes, type ParsedNodeOptions } from './nodes-option.js';

const rejection = (value: string | unknown[], field?: string): string => {
  try {
    parseNodes(value, field);
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
};

/** The documented string form, written the way a deployment would write it. */
const format = (nodes: readonly ParsedNodeOptions[], separator = ','): string =>
  nodes.map((n) => `${n.name}@${n.ip.includes(':') ? `[${n.ip}]` : n.ip}:${n.port}`).join(separator);

const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/);
const host = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
);
const nodeList = fc.uniqueArray(fc.record({ name, ip: host, port: fc.integer({ min: 1, max: 65535 }) }), {
  minLength: 1,
  maxLength: 9,
  selector: (n) => n.name,
}).filter((nodes) => new Set(nodes.map((n) => `${n.ip}:${n.port}`)).size === nodes.length);

describe('parseNodes', () => {
  it('reads the documented string form, entries separated by commas or whitespace', () => {
    expect(parseNodes('node1@10.0.0.1:7000,node2@10.0.0.2:7000')).toEqual([
      { name: 'node1', ip: '10.0.0.1', port: 7000 },
      { name: 'node2', ip: '10.0.0.2', port: 7000 },
    ]);
    expect(parseNodes(' a@h1:1 ,\n b@h2:2\tc@[fd00::1]:3 ')).toEqual([
      { name: 'a', ip: 'h1', port: 1 },
      { name: 'b', ip: 'h2', port: 2 },
      { name: 'c', ip: 'fd00::1', port: 3 },
    ]);
  });

  it('takes the sample’s older name=host:port spelling too', () => {
    expect(parseNodes('node1=127.0.0.1:7001,node2=127.0.0.1:7002').map((n) => n.name)).toEqual(['node1', 'node2']);
  });

  it('takes the list as JSON, with the Go package’s key spelling and numeric-string ports', () => {
    expect(parseNodes('[{"Name":"node1","Ip":"10.0.0.1","Port":8080,"Local":true},{"name":"node2","IP":"10.0.0.2","port":"8081"}]')).toEqual([
      { name: 'node1', ip: '10.0.0.1', port: 8080, local: true },
      { name: 'node2', ip: '10.0.0.2', port: 8081 },
    ]);
    expect(parseNodes([{ name: 'a', ip: 'h', port: '7000' }])).toEqual([{ name: 'a', ip: 'h', port: 7000 }]);
  });

  it.each([
    ['node1', /entry 1 "node1" has no "@"; expected name@host:port, as in "node1@10\.0\.0\.1:7000,node2@10\.0\.0\.2:7000"/],
    ['@10.0.0.1:7000', /entry 1 "@10\.0\.0\.1:7000" has no name before "@"/],
    ['a@h:1,node2@10.0.0.2', /entry 2 "node2@10\.0\.0\.2" has no port/],
    ['a@:7000', /entry 1 "a@:7000" has no host/],
    ['a@fd00::1:7000', /IPv6 host without brackets \(write name@\[fd00::1\]:7000\)/],
    ['a@[fd00::1]', /entry 1 "a@\[fd00::1\]" has no port/],
    ['a@h:port', /`nodes\[0\]\.port`: "port" is out of range for "a"; use 1-65535/],
    ['a@h:70000', /`nodes\[0\]\.port`: 70000 is out of range for "a"/],
    ['a@h:1,a@g:2', /`nodes\[1\]\.name`: "a" is used twice/],
    ['a@h:1,b@h:1', /`nodes\[1\]`: "b" has the same address h:1/],
    ['[{"name":"a"', /`nodes`: the JSON list does not parse/],
    ['[{"name":"a","ip":"h","port":1,"local":"yes"}]', /`nodes\[0\]\.local`: expected a boolean/],
  ])('rejects %j with a sentence naming the entry', (text, message) => {
    expect(rejection(text)).toMatch(message);
  });

  it('names the env variable when told where the text came from', () => {
    expect(rejection('node1', 'CLUSTER_NODES')).toMatch(/^Invalid cluster option `CLUSTER_NODES`: entry 1/);
  });

  it('round-trips: a list written in the string form parses back to the same list', () => {
    fc.assert(
      fc.property(nodeList, fc.constantFrom(',', ' ', ', ', '\n'), (nodes, separator) => {
        expect(parseNodes(format(nodes, separator))).toEqual(nodes);
      }),
    );
  });

  it('rejects any garbage with a ClusterConfigError that names the option, never a crash or a partial list', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        let parsed: ParsedNodeOptions[];
        try {
          parsed = parseNodes(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ClusterConfigError);
          expect((error as Error).message).toMatch(/^Invalid cluster option `nodes(\[\d+\](\.\w+)?)?`: [\s\S]+\.$/);
          return;
        }
        // What does parse is a valid list: a name, a host and a port for every entry.
        for (const node of parsed) {
          expect(node.name.length).toBeGreaterThan(0);
          expect(node.ip.length).toBeGreaterThan(0);
          expect(Number.isInteger(node.port) && node.port >= 1 && node.port <= 65535).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects entries that lose a part, whichever part', () => {
    fc.assert(
      fc.property(nodeList, fc.nat(), fc.constantFrom('name', 'host', 'port'), (nodes, pick, part) => {
        const i = pick % nodes.length;
        const entries = format(nodes).split(',');
        const n = nodes[i]!;
        const v6 = n.ip.includes(':') ? `[${n.ip}]` : n.ip;
        entries[i] = part === 'name' ? `@${v6}:${n.port}` : part === 'host' ? `${n.name}@:${n.port}` : `${n.name}@${v6}`;
        expect(rejection(entries.join(','))).toMatch(new RegExp(`entry ${i + 1} .* has no ${part}`));
      }),
    );
  });
});

describe('nodes by DNS name (issue #14)', () => {
  it('reads Kubernetes pod names in the string form', () => {
    expect(parseNodes('web-0@web-0.web.default.svc.cluster.local:7000,web-1@web-1.web:7000')).toEqual([
      { name: 'web-0', ip: 'web-0.web.default.svc.cluster.local', port: 7000 },
      { name: 'web-1', ip: 'web-1.web', port: 7000 },
    ]);
  });

  it('takes `host`, or `ip` as the seed spelled it, and gives the host back as `ip`', () => {
    expect(parseNodes([{ name: 'a', host: 'a.svc', port: 1 }, { name: 'b', ip: '10.0.0.2', port: 1 }])).toEqual([
      { name: 'a', ip: 'a.svc', port: 1 },
      { name: 'b', ip: '10.0.0.2', port: 1 },
    ]);
    expect(parseNodes('[{"Name":"a","Host":"a.svc","Port":1}]')).toEqual([{ name: 'a', ip: 'a.svc', port: 1 }]);
    expect(parseNodes([{ name: 'a', host: 'a.svc', ip: 'a.svc', port: 1 }])).toEqual([{ name: 'a', ip: 'a.svc', port: 1 }]);
  });

  it('refuses `host` and `ip` that disagree, naming both', () => {
    expect(rejection([{ name: 'a', host: 'a.svc', ip: '10.0.0.1', port: 1 }])).toMatch(
      /`nodes\[0\]\.host`: "a" has host "a\.svc" and ip "10\.0\.0\.1"; give one of them/,
    );
    expect(rejection([{ name: 'a', port: 1 }])).toMatch(/`nodes\[0\]\.ip`: expected a DNS name or an IP address for "a"/);
    expect(rejection([{ name: 'a', host: '', port: 1 }])).toMatch(/`nodes\[0\]\.host`: expected a DNS name/);
  });

  it('takes `bindHost` as an IP address only', () => {
    expect(parseNodes([{ name: 'a', host: 'a.svc', port: 1, bindHost: '::' }])).toEqual([{ name: 'a', ip: 'a.svc', port: 1, bindHost: '::' }]);
    expect(rejection([{ name: 'a', host: 'a.svc', port: 1, bindHost: 'a.svc' }])).toMatch(
      /`nodes\[0\]\.bindHost`: expected an IP address for "a" to listen on \(0\.0\.0\.0 for every IPv4 interface/,
    );
    expect(rejection([{ name: 'a', host: 'a.svc', port: 1, bindHost: 7 }])).toMatch(/`nodes\[0\]\.bindHost`/);
  });
});
