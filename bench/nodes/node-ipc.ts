import { sharedNow } from '../support/clock.js';
import type { NodeCommand, NodeReport } from './node-messages.js';

/** Sends one report to the bench over IPC (nothing when the node runs alone). */
export function report(message: NodeReport): void {
  process.send?.(message);
}

/** Answers the bench's commands: `close` calls `close`; `usage` reports this process's CPU time and RSS. */
export function answerCommands(close: () => void): void {
  process.on('message', (command: NodeCommand) => {
    if (command.type === 'close') close();
    if (command.type === 'usage') {
      const cpu = process.cpuUsage();
      report({ type: 'usage', cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss, at: sharedNow() });
    }
  });
}
