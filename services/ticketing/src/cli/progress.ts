/**
 * A progress report on stderr: a bar redrawn in place when stderr is a terminal, otherwise a
 * plain line at every quarter (logs and CI keep readable output). stdout stays for results.
 * The commands make one through progressOf (command.ts): shown on a terminal or with
 * --progress, silent otherwise.
 */
import type { WriteStream } from 'node:tty';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const barWidth = 30;
const redrawEveryMs = 80;

export class Progress {
  private done = 0;
  private lastDraw = 0;
  private quarter = -1;
  private drawn = false;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly unit: (amount: number) => string = String,
    private readonly stream: ProgressStream = process.stderr as WriteStream,
  ) {}

  private get tty() {
    return this.stream.isTTY === true;
  }

  /** The total may become known (or change) on the way, e.g. from a response header. */
  setTotal(total: number) {
    this.total = total;
  }

  update(done: number) {
    this.done = done;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < redrawEveryMs && done < this.total) return;
      this.lastDraw = now;
      this.draw();
      return;
    }
    if (this.total <= 0) return;
    const quarter = Math.min(4, Math.floor((4 * done) / this.total));
    if (quarter > this.quarter) {
      this.quarter = quarter;
      this.stream.write(
        `${this.label}: ${quarter * 25}% (${this.unit(done)} of ${this.unit(this.total)})\n`,
      );
    }
  }

  private draw() {
    const ratio = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const filled = Math.round(ratio * barWidth);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}`;
    const amounts =
      this.total > 0 ? `${this.unit(this.done)}/${this.unit(this.total)}` : this.unit(this.done);
    const line = `${this.label} [${bar}] ${String(Math.round(ratio * 100)).padStart(3)}% ${amounts}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 100) - 1)}\u001b[K`);
    this.drawn = true;
  }

  /** A step without a measure (the server validating what it received). */
  phase(text: string) {
    if (this.tty) {
      this.stream.write(`\r${text}\u001b[K`);
      this.drawn = true;
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends the bar: its line is kept (a terminal) and the cursor moves on. */
  finish() {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export function bytes(amount: number) {
  if (amount < 1024) return `${amount} B`;
  if (amount < 1024 * 1024) return `${(amount / 1024).toFixed(1)} kB`;
  return `${(amount / 1024 / 1024).toFixed(1)} MB`;
}
