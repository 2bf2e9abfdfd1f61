/**
 * The circuit breaker in front of the exchange (issue 18, item 3). After `failureThreshold`
 * calls in a row that timed out or could not connect, the circuit opens: calls fail at once with
 * 503 `exchange_unavailable` and a `Retry-After` of the seconds until the next probe, without
 * touching the exchange, so a frozen exchange no longer costs every buyer the whole timeout.
 * After `openMs` one call goes through as the probe (half-open; the others still fail fast): if
 * the exchange answers, the circuit closes; if not, it stays open for another `openMs`.
 *
 * An answer of any status, 4xx and 5xx included, counts as the exchange answering: the breaker is
 * about the wait, and an answer does not make anyone wait. A refused call never reached the
 * exchange, so its outcome is known (nothing happened); callers handle it like any other
 * `exchange_unavailable`, which for a payment request leaves the order `creating` for the buyer's
 * retry and the reconciliation worker (docs/ticketing.md, S120).
 *
 * Written here rather than taken from `opossum`: opossum moves to half-open on its own timers and
 * takes no clock, so its states cannot be stepped by a test's manual clock, it does not say when
 * its next probe is due (our Retry-After), and what is needed fits in this file.
 */
import { ApiError } from '@tessera/service-kit/errors';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Timeouts or connection failures in a row that open the circuit. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one call probes the exchange. */
  readonly openMs?: number;
  /** The clock (ms); injected by tests. */
  readonly now?: () => number;
}

export const breakerDefaults = { failureThreshold: 5, openMs: 5_000 } as const;

/** 503 `exchange_unavailable`, with the seconds a client should wait before trying again. */
export class ExchangeUnavailable extends ApiError {
  constructor(
    detail: string,
    override readonly retryAfterS: number,
    /** The exchange was called and did not answer (a timeout or a connection failure). */
    readonly unanswered = false,
  ) {
    super(503, 'exchange_unavailable', `the exchange is not answering (${detail}); retry`);
    this.name = 'ExchangeUnavailable';
  }
}

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly now: () => number;
  private failures = 0;
  /** When the circuit last opened; undefined while closed. */
  private openedAt: number | undefined;
  private probing = false;

  constructor(options: BreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? breakerDefaults.failureThreshold;
    this.openMs = options.openMs ?? breakerDefaults.openMs;
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.probing || this.now() >= this.openedAt + this.openMs ? 'half_open' : 'open';
  }

  /** Seconds until a call may go again (at least 1); 0 while closed. */
  retryAfterS(): number {
    if (this.openedAt === undefined) return 0;
    if (this.probing) return 1;
    return Math.max(1, Math.ceil((this.openedAt + this.openMs - this.now()) / 1000));
  }

  /**
   * Runs `call` if the circuit lets it through (closed, or the one probe when half-open), and
   * learns from its outcome; otherwise throws `ExchangeUnavailable` at once.
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const probe = this.admit();
    try {
      const value = await call();
      this.answered();
      return value;
    } catch (error) {
      if (error instanceof ExchangeUnavailable && error.unanswered) this.unanswered(probe);
      else this.answered();
      throw error;
    }
  }

  /** Whether this call is the probe; throws when the circuit is open or a probe is out. */
  private admit(): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half_open' && !this.probing) {
      this.probing = true;
      return true;
    }
    throw new ExchangeUnavailable('circuit open', this.retryAfterS());
  }

  private answered() {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  private unanswered(probe: boolean) {
    if (probe || this.openedAt !== undefined) {
      // The probe failed (or a call let through before the circuit opened): stay open longer.
      if (probe) this.probing = false;
      if (probe) this.openedAt = this.now();
      return;
    }
    this.failures += 1;
    if (this.failures >= this.failureThreshold) this.openedAt = this.now();
  }
}
