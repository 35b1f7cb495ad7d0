/** Structured logs (pino). Credentials are redacted wherever they may appear in a logged object. */
import { type Logger, pino } from 'pino';

const SECRET_KEYS = [
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'password',
  'authorization',
  'Authorization',
];

// pino redaction paths cover one level per `*` (DESIGN.md §6), so list the depths we log at.
const redactPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'lockstep' } };
  return destination ? pino(options, destination as unknown as pino.DestinationStream) : pino(options);
}
