import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OffsetStore } from './clock';

/**
 * Keeps a development clock's offset in a small JSON file next to the embedded databases
 * (`<DATA_DIR>/<service>/dev-clock.json`), written atomically (temporary file, then rename).
 * A missing or unreadable file means no offset.
 */
export class OffsetFile implements OffsetStore {
  constructor(readonly file: string) {}

  load(): number {
    try {
      const { offsetMs } = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { offsetMs?: unknown };
      return typeof offsetMs === 'number' && Number.isSafeInteger(offsetMs) && offsetMs >= 0 ? offsetMs : 0;
    } catch {
      return 0;
    }
  }

  save(offsetMs: number): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify({ offsetMs })}\n`);
    fs.renameSync(temporary, this.file);
  }
}

/**
 * The offset file of a service, when its data lives under a data directory: in development, or
 * whenever DATA_DIR is set (a test that runs a stack on a directory of its own). A process
 * without either keeps its offset in memory only.
 */
export function devClockStore(service: string, env: NodeJS.ProcessEnv): OffsetFile | null {
  const file = devClockFile(service, env);
  return file ? new OffsetFile(file) : null;
}

/** Where devClockStore keeps the offset (ServiceConfig.devClockFile), or null. */
export function devClockFile(service: string, env: NodeJS.ProcessEnv): string | null {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (nodeEnv === 'production' || (nodeEnv !== 'development' && !env.DATA_DIR)) return null;
  return path.resolve(env.DATA_DIR ?? '.data', service, 'dev-clock.json');
}
