/**
 * Where `npm start` puts the servers' JSON log lines: every line in a file (`data/server.log`),
 * and only errors (pino level 50 and up) echoed as one short line each, so that a line per
 * request does not scroll the banner (the URLs, the enrolment code) off the console.
 */
import { createWriteStream } from 'node:fs';

export interface ServerLog {
  /** The `logStream` for one server; `name` starts its echoed error lines. */
  streamFor(name: string): { write(line: string): void };
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

export function serverLog(file: string, echo: (line: string) => void): ServerLog {
  const out = createWriteStream(file, { flags: 'a' });
  return {
    streamFor(name) {
      return {
        write(line: string) {
          out.write(line);
          let entry: { level?: number; msg?: string; err?: { message?: string } };
          try {
            entry = JSON.parse(line);
          } catch {
            return;
          }
          if ((entry.level ?? 0) < 50) return;
          const cause = entry.err?.message ? `: ${entry.err.message}` : '';
          echo(`${name} error: ${entry.msg ?? ''}${cause} (more in ${file})`);
        },
      };
    },
    close: () => new Promise((resolve) => out.end(resolve)),
  };
}
