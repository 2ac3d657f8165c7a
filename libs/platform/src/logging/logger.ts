import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout. Secrets and personal data are redacted by key wherever they appear, so a
 * careless log call cannot leak them.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'accessToken',
        '*.accessToken',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'secret',
        '*.secret',
        'email',
        '*.email',
      ],
      censor: '[redacted]',
    },
  });
}
