import { describe, expect, it } from 'vitest';
import { ViolationLog } from './violation-log.js';

describe('ViolationLog', () => {
  it('counts every violation but logs one line per reason per 10 s, with the held-back count', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new ViolationLog({ now: () => now, wallTime: () => 0 }, { log() {}, warn: (m) => void lines.push(m), error() {} }, 'n1');
    for (let i = 0; i < 50; i++) log.record('frame-too-large', 'too big', '10.0.0.9:4000');
    log.record('auth-failed', 'bad proof', '10.0.0.9:4001');
    expect(lines).toHaveLength(2);
    now = 10_000;
    log.record('frame-too-large', 'too big', '10.0.0.9:4002');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/49 more like it/);
    expect(log.snapshot()).toEqual({ 'frame-too-large': 51, 'auth-failed': 1 });
  });
});
