/**
 * The HTTP transport webhooks go out on: an undici `Agent` whose connector applies the
 * AddressPolicy to the address each connection is actually made to, so a check cannot be
 * raced by DNS (rebinding: a name that answers a public address to a check made before
 * connecting, and a private one to the connection itself).
 *
 * - A URL whose host is an IP literal is checked before connecting (Node does no lookup for it).
 * - A name is resolved ONCE, by the lookup this connector hands to `net.connect`; every answer
 *   must pass, or the connection is refused; the socket then connects to one of exactly those
 *   checked answers.
 * - After connecting, the socket's remote address is checked again: whatever path led there,
 *   nothing is written to a socket that ends at a non-public address.
 *
 * undici (the library behind Node's fetch, installed as a package for its `Agent` and connector
 * API) never follows redirects with `request`, so a receiver cannot bounce a delivery elsewhere.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { AddressPolicy, type Verdict } from './address-policy.ts';

/** Every address a name resolves to (the DNS step, injectable so tests can play a resolver). */
export type Resolve = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

/** How long registration waits for DNS before accepting (the connect-time check still applies). */
const registrationLookupMs = 3_000;

const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Thrown (as the connection error) when the policy refuses an address. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_WEBHOOK_ADDRESS_REFUSED';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AddressRefusedError';
  }
}

export interface WebhookTransportOptions {
  readonly allowPrivate?: boolean;
  readonly allowedNetworks?: readonly string[];
  readonly resolve?: Resolve;
  /** Connect timeout in milliseconds (the delivery's own timeout bounds the whole request). */
  readonly connectTimeoutMs?: number;
}

export class WebhookTransport {
  readonly policy: AddressPolicy;
  readonly dispatcher: Agent;
  private readonly resolve: Resolve;

  constructor(options: WebhookTransportOptions = {}) {
    this.policy = new AddressPolicy(options);
    this.resolve = options.resolve ?? systemResolve;
    const base = buildConnector({
      timeout: options.connectTimeoutMs ?? 10_000,
      lookup: this.lookup,
    });
    const connect: buildConnector.connector = (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host)) {
        const verdict = this.policy.check(host);
        if (!verdict.allowed) {
          callback(new AddressRefusedError(verdict.reason), null);
          return;
        }
      }
      base(connectOptions, (error, socket) => {
        if (error || !socket) {
          callback(error ?? new Error('no socket'), null);
          return;
        }
        const remote = (socket as Socket).remoteAddress;
        const verdict: Verdict = remote
          ? this.policy.check(remote)
          : { allowed: false, reason: 'refused: no remote address' };
        if (!verdict.allowed) {
          socket.destroy();
          callback(new AddressRefusedError(verdict.reason), null);
          return;
        }
        callback(null, socket);
      });
    };
    this.dispatcher = new Agent({ connect });
  }

  /**
   * The lookup `net.connect` uses: resolves once and refuses unless every answer passes, so
   * the socket connects only to an address that was checked.
   */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.checkedAddresses(hostname).then(
      (addresses) => {
        if (options.all) {
          callback(null, addresses as never);
          return;
        }
        const wanted = options.family === 6 ? 6 : options.family === 4 ? 4 : 0;
        const first = addresses.find((entry) => wanted === 0 || entry.family === wanted);
        if (!first) {
          const error = Object.assign(new Error(`no address for ${hostname}`), {
            code: 'ENOTFOUND',
          });
          callback(error, '', 0);
          return;
        }
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  /** Resolves a name and applies the policy to every answer; rejects when any is refused. */
  async checkedAddresses(hostname: string) {
    const answers = await this.resolve(hostname);
    if (answers.length === 0)
      throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
    for (const answer of answers) {
      const verdict = this.policy.check(answer.address);
      if (!verdict.allowed) throw new AddressRefusedError(verdict.reason);
    }
    return answers.map((answer) => ({ address: answer.address, family: answer.family }));
  }

  /**
   * The check made when a merchant registers a URL, for a clear answer at once: an IP literal
   * must pass; a name must not resolve to a refused address now. Resolution failures pass (the
   * name may not be published yet): the check that protects is the one at connect time.
   */
  async refusalOf(url: URL): Promise<string | undefined> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const verdict = this.policy.check(host);
      return verdict.allowed ? undefined : verdict.reason;
    }
    if (this.policy.options.allowPrivate) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, registrationLookupMs, undefined);
      timer.unref();
    });
    const check = this.checkedAddresses(host).then(
      () => undefined,
      (error: unknown) => (error instanceof AddressRefusedError ? error.reason : undefined),
    );
    try {
      return await Promise.race([check, giveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
