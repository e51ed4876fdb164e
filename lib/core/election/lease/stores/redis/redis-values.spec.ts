import { describe, expect, it } from 'vitest';
import { MAX_TERM, MAX_TERM_STEP } from '../../../term-ceiling.js';
import { QUARANTINE } from './lease-scripts.js';
import { parseNotice } from '../../lease-values.js';
import { parseHolder } from './redis-values.js';

const ABSURD_TOKENS = ['1e300', '1e999', '-5', '0', '1.5', '"7"', 'null', '9007199254740993', String(MAX_TERM + 1)];

describe('lease values read from Redis (DESIGN §5, issue #10 item 4)', () => {
  it('a holder with a positive integer token within reach is read as it is', () => {
    expect(parseHolder('{"node":"a","token":7}', 5)).toEqual({ holder: { node: 'a', token: 7 } });
    expect(parseHolder(`{"node":"a","token":${5 + MAX_TERM_STEP}}`, 5).holder).toBeDefined();
  });

  it('an absent key or the quarantine value is no holder, and not an error', () => {
    expect(parseHolder(null, 0)).toEqual({});
    expect(parseHolder(QUARANTINE, 0)).toEqual({});
  });

  it('absurd tokens, tokens out of reach and bad names are invalid, never a holder', () => {
    for (const token of [...ABSURD_TOKENS, String(6 + MAX_TERM_STEP)]) {
      expect(parseHolder(`{"node":"x","token":${token}}`, 5), token).toEqual({ invalid: true });
    }
    for (const node of ['""', '5', JSON.stringify('x'.repeat(257))]) {
      expect(parseHolder(`{"node":${node},"token":6}`, 5), node).toEqual({ invalid: true });
    }
    for (const value of ['Infinity', 'garbage', '7', '[]', 'null']) expect(parseHolder(value, 5), value).toEqual({ invalid: true });
  });

  it('notices are read only with a known type, a valid token and valid names', () => {
    expect(parseNotice('{"type":"acquired","node":"a","token":3}', 0)).toEqual({ type: 'acquired', node: 'a', token: 3 });
    expect(parseNotice('{"type":"released","node":"a","token":3,"to":"b"}', 0)).toMatchObject({ to: 'b' });
    for (const token of ABSURD_TOKENS) {
      expect(parseNotice(`{"type":"acquired","node":"x","token":${token}}`, 0), token).toBeUndefined();
      expect(parseNotice(`{"type":"released","node":"x","token":${token}}`, 0), token).toBeUndefined();
    }
    expect(parseNotice('{"type":"released","node":"a","token":3,"to":""}', 0)).toBeUndefined();
    expect(parseNotice('{"type":"elected","node":"a","token":3}', 0)).toBeUndefined();
    expect(parseNotice('not json', 0)).toBeUndefined();
  });
});
