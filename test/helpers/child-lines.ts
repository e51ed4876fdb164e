import type { Readable } from 'node:stream';

/** Calls `onLine` with every complete, non-empty line a child process prints on `stream`. */
export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line) onLine(line);
  });
}
