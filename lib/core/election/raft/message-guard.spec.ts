import { describe, expect, it } from 'vitest';
import { MAX_TERM } from '../term-ceiling.js';
import { asRaftMessage } from './message-guard.js';

const heartbeat = { type: 'Heartbeat', from: 'b', to: 'a', term: 3, round: 1 };

describe('asRaftMessage', () => {
  it('accepts a well-formed message from the authenticated sender, up to the term ceiling', () => {
    expect(asRaftMessage(heartbeat, 'b', 'a')).toEqual({ message: heartbeat });
    expect(asRaftMessage({ ...heartbeat, term: MAX_TERM }, 'b', 'a').message).toBeDefined();
  });

  it('a term above the documented ceiling is malformed, and the problem names it (issue #10 item 3)', () => {
    for (const term of [MAX_TERM + 1, 2 ** 53 - 1, 2 ** 53, Number.MAX_VALUE, Infinity, NaN, -1, 1.5, '3']) {
      const result = asRaftMessage({ ...heartbeat, term }, 'b', 'a');
      expect(result.message, `term ${String(term)}`).toBeUndefined();
      expect(result.problem).toMatch(/term/);
    }
  });

  it('a message that speaks for another node, or lacks a field of its type, is malformed', () => {
    expect(asRaftMessage({ ...heartbeat, from: 'c' }, 'b', 'a').problem).toMatch(/sender/);
    expect(asRaftMessage({ ...heartbeat, round: -1 }, 'b', 'a').problem).toMatch(/round/);
    expect(asRaftMessage({ ...heartbeat, type: 'Nope' }, 'b', 'a').problem).toMatch(/type/);
    expect(asRaftMessage(null, 'b', 'a').problem).toBeDefined();
  });
});
