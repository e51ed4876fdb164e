/** The subset of Nest's `LoggerService` the core uses; any Nest logger satisfies it. */
export interface ClusterLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
  debug?(message: string): void;
}

export const silentLogger: ClusterLogger = {
  log() {},
  warn() {},
  error() {},
};

/**
 * The default without Nest (createCluster): `[Cluster] level: message` lines on stderr. The Nest
 * module passes `new Logger('Cluster')` instead, so the core needs no Nest import.
 */
export const stderrLogger: ClusterLogger = {
  log: (message) => writeLine('log', message),
  warn: (message) => writeLine('warn', message),
  error: (message, stack) => writeLine('error', stack === undefined ? message : `${message}\n${stack}`),
};

function writeLine(level: string, message: string): void {
  process.stderr.write(`[Cluster] ${level}: ${message}\n`);
}

export function errorStack(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
