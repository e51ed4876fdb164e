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

export function errorStack(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
