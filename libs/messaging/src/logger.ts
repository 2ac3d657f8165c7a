/**
 * The logging surface messaging needs. Pino's `logger.info(obj, msg)` signature, so services pass
 * their pino logger as is and tests pass a recording stub.
 */
export interface MessagingLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything, for callers that have nothing to report to. */
export const silentMessagingLogger: MessagingLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The parts of an unknown thrown value that are safe and useful to log or put in a header. */
export function describeError(error: unknown): { type: string; message: string } {
  if (error instanceof Error) {
    // Subclasses that forget to set `name` still report as "Error"; their class name says more.
    const type = error.name && error.name !== 'Error' ? error.name : error.constructor.name;
    return { type, message: error.message };
  }
  return { type: typeof error, message: String(error) };
}
