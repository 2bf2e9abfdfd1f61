import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret } from '../src/notifications/webhooks.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/**
 * Opens the stream with node:http and no connection pool, so a closed stream leaves no spare
 * keep-alive socket behind, and reads server-sent events from it (skipping comments), each read
 * bounded so a missing event fails the test instead of hanging it.
 */
function openStream(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    contentType: string | undefined;
    next(boundMs?: number): Promise<SseEvent>;
    text(): Promise<string>;
    close(): void;
  }>((resolve, reject) => {
    const request = get(url, { agent: false, headers }, (response) => {
      response.setEncoding('utf8');
      const chunks = response[Symbol.asyncIterator]() as AsyncIterator<string>;
      let buffer = '';
      async function next(boundMs = 10_000): Promise<SseEvent> {
        for (;;) {
          const end = buffer.indexOf('\n\n');
          if (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: SseEvent = {};
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon <= 0) continue;
              const field = line.slice(0, colon);
              const value = line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id' || field === 'event' || field === 'data') event[field] = value;
            }
            if (event.data !== undefined) return event;
            continue;
          }
          let timer: NodeJS.Timeout | undefined;
          const chunk = await Promise.race([
            chunks.next(),
            new Promise<never>((_, fail) => {
              timer = setTimeout(() => fail(new Error('no event within the bound')), boundMs);
            }),
          ]).finally(() => clearTimeout(timer));
          if (chunk.done) throw new Error('the stream ended');
          buffer += chunk.value;
        }
      }
      async function text() {
        let all = buffer;
        for (;;) {
          const chunk = await chunks.next();
          if (chunk.done) return all;
          all += chunk.value;
        }
      }
      resolve({
        status: response.statusCode ?? 0,
        contentType: response.headers['content-type'],
        next,
        text,
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

/** The first chunk a stream sends (its opening lines), the connection closed after it. */
function firstChunk(url: string) {
  return new Promise<string>((resolve, reject) => {
    const request = get(url, { agent: false }, (response) => {
      response.setEncoding('utf8');
      response.once('data', (chunk: string) => {
        resolve(chunk);
        request.destroy();
      });
    });
    request.on('error', reject);
  });
}

describe.each(backends)('notifications on %s', (backend) => {
  let x: TestExchange;
  let base: string;
  const streams: { close(): void }[] = [];
  const stream = async (ticket: string, query = '', headers: Record<string, string> = {}) => {
    const opened = await openStream(
      `${base}/v1/notifications/stream?ticket=${encodeURIComponent(ticket)}${query}`,
      headers,
    );
    streams.push(opened);
    return opened;
  };
  beforeAll(async () => {
    // The webhook set below is on loopback, which webhooks may reach only when allowed.
    x = await startTestExchange(backend, { EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' });
    await x.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(x.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const open of streams) open.close();
    await x?.close();
  });

  async function transfer(from: { token: string }, to: string, amount: string, memo?: string) {
    const sent = await x.request('POST', '/v1/transfers', {
      token: from.token,
      key: key(),
      body: { to: { subscriberId: to }, asset: 'USDT', amount, ...(memo ? { memo } : {}) },
    });
    expect(sent.status).toBe(201);
    return sent.body as { id: string };
  }

  async function history(token: string, query = '') {
    const page = await x.request('GET', `/v1/notifications${query}`, { token });
    expect(page.status).toBe(200);
    return page.body as {
      notifications: {
        seq: number;
        id: string;
        type: string;
        createdAt: string;
        data: Record<string, unknown>;
      }[];
      nextAfter: number;
      hasMore: boolean;
    };
  }

  it('gives both parties of a transfer and of a payment their own notice, in order', async () => {
    const alice = await x.signUp('person');
    const bob = await x.signUp('person');
    const shop = await x.signUp('merchant', 'Arena');
    await x.fund(alice.accountId, 'USDT', 20_000_000n);
    const sent = await transfer(alice, bob.id, '1.5', 'tickets');

    const invoice = await x.request('POST', '/v1/payment-requests', {
      token: shop.token,
      key: key(),
      body: { asset: 'USDT', amount: '4', reference: 'seat-12A', expiresInS: 600 },
    });
    const paid = await x.request('POST', `/v1/payment-requests/${invoice.body.id}/pay`, {
      token: alice.token,
      key: key(),
    });
    expect(paid.status).toBe(200);

    const mine = await history(alice.token);
    expect(mine.notifications.map((n) => n.type)).toEqual(['transfer.sent', 'payment.sent']);
    expect(mine.notifications[0]?.data).toMatchObject({
      id: sent.id,
      from: alice.id,
      to: bob.id,
      amount: '1.5',
      memo: 'tickets',
    });
    expect(mine.notifications[1]?.data).toMatchObject({
      paymentRequestId: invoice.body.id,
      reference: 'seat-12A',
      amount: '4',
    });
    const theirs = await history(bob.token);
    expect(theirs.notifications.map((n) => n.type)).toEqual(['transfer.received']);
    expect(theirs.notifications[0]?.data).toMatchObject({ id: sent.id, amount: '1.5' });
    // One event per party: the same transfer, two different notices.
    expect(theirs.notifications[0]?.id).not.toBe(mine.notifications[0]?.id);
    const merchant = await history(shop.token);
    expect(merchant.notifications.map((n) => n.type)).toEqual(['payment_request.paid']);
    expect(merchant.notifications[0]?.createdAt).toBe(new Date(x.clock.now()).toISOString());

    // A failed transfer (too much) notifies nobody: the notice is in the same transaction.
    const tooMuch = await x.request('POST', '/v1/transfers', {
      token: alice.token,
      key: key(),
      body: { to: { subscriberId: bob.id }, asset: 'USDT', amount: '1000' },
    });
    expect(tooMuch.status).toBe(409);
    expect((await history(bob.token)).notifications).toHaveLength(1);
  });

  it('pages through the history with the seq cursor', async () => {
    const alice = await x.signUp('person');
    const bob = await x.signUp('person');
    await x.fund(alice.accountId, 'USDT', 20_000_000n);
    for (let i = 1; i <= 5; i++) await transfer(alice, bob.id, `0.${i}`);
    const first = await history(bob.token, '?limit=2');
    expect(first.notifications.map((n) => n.data.amount)).toEqual(['0.1', '0.2']);
    expect(first.hasMore).toBe(true);
    expect(first.nextAfter).toBe(first.notifications[1]?.seq);
    const second = await history(bob.token, `?limit=2&after=${first.nextAfter}`);
    expect(second.notifications.map((n) => n.data.amount)).toEqual(['0.3', '0.4']);
    const third = await history(bob.token, `?limit=2&after=${second.nextAfter}`);
    expect(third.notifications.map((n) => n.data.amount)).toEqual(['0.5']);
    expect(third.hasMore).toBe(false);
    const empty = await history(bob.token, `?after=${third.nextAfter}`);
    expect(empty).toEqual({ notifications: [], nextAfter: third.nextAfter, hasMore: false });
    const seqs = [...first.notifications, ...second.notifications, ...third.notifications].map(
      (n) => n.seq,
    );
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const bad = await x.request('GET', '/v1/notifications?limit=0', { token: bob.token });
    expect(bad.status).toBe(400);
    const anonymous = await x.request('GET', '/v1/notifications');
    expect(anonymous.status).toBe(401);
  });

  it('sets a webhook with a secret shown once and stored only encrypted', async () => {
    const shop = await x.signUp('merchant');
    const person = await x.signUp('person');
    const none = await x.request('GET', '/v1/merchant/webhook', { token: shop.token });
    expect(none.body).toEqual({ url: null, secretSet: false });
    for (const url of [
      'ftp://example.com/hook',
      'not a url',
      `https://example.com/${'a'.repeat(500)}`,
    ]) {
      const refused = await x.request('PUT', '/v1/merchant/webhook', {
        token: shop.token,
        body: { url },
      });
      expect(refused.status).toBe(400);
    }
    const withPassword = await x.request('PUT', '/v1/merchant/webhook', {
      token: shop.token,
      body: { url: 'https://user:pw@example.com/hook' },
    });
    expect(withPassword.body.error.code).toBe('invalid_url');
    const forPeople = await x.request('PUT', '/v1/merchant/webhook', {
      token: person.token,
      body: { url: 'https://example.com/hook' },
    });
    expect(forPeople.status).toBe(403);

    const set = await x.request('PUT', '/v1/merchant/webhook', {
      token: shop.token,
      body: { url: 'http://127.0.0.1:9/hooks#ignored' },
    });
    expect(set.status).toBe(200);
    expect(set.body.url).toBe('http://127.0.0.1:9/hooks');
    const secret = set.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const shown = await x.request('GET', '/v1/merchant/webhook', { token: shop.token });
    expect(shown.body).toEqual({ url: 'http://127.0.0.1:9/hooks', secretSet: true });
    expect(shown.raw).not.toContain('whsec_');

    const row = await x.database.db
      .selectFrom('subscribers')
      .select('webhook_secret')
      .where('id', '=', shop.id)
      .executeTakeFirstOrThrow();
    const stored = row.webhook_secret as string;
    expect(stored).not.toContain(secret.slice('whsec_'.length));
    expect(stored).not.toContain('whsec_');
    // The sealing key's version, then iv (12) + tag (16) + the 50-byte secret.
    const [version, sealed] = stored.split('.') as [string, string];
    expect(version).toBe(`k${x.exchange.config.secretKeys.currentVersion}`);
    expect(Buffer.from(sealed, 'base64url')).toHaveLength(12 + 16 + secret.length);
    expect(decryptSecret(x.exchange.config.secretKey, stored, shop.id)).toBe(secret);
    // Nothing keyed the PUT, so the idempotency table never saw the secret either.
    const keyed = await x.database.db
      .selectFrom('idempotency_keys')
      .select('response')
      .where('principal', '=', shop.id)
      .execute();
    expect(keyed.some((k) => k.response.includes('whsec_'))).toBe(false);

    // Each PUT rotates: the previous secret is gone.
    const again = await x.request('PUT', '/v1/merchant/webhook', {
      token: shop.token,
      body: { url: 'http://127.0.0.1:9/hooks' },
    });
    expect(again.body.secret).not.toBe(secret);
    const rotated = await x.database.db
      .selectFrom('subscribers')
      .select('webhook_secret')
      .where('id', '=', shop.id)
      .executeTakeFirstOrThrow();
    expect(
      decryptSecret(x.exchange.config.secretKey, rotated.webhook_secret as string, shop.id),
    ).toBe(again.body.secret);

    const noKey = await x.request('DELETE', '/v1/merchant/webhook', { token: shop.token });
    expect(noKey.status).toBe(400);
    const removed = await x.request('DELETE', '/v1/merchant/webhook', {
      token: shop.token,
      key: key(),
    });
    expect(removed.status).toBe(200);
    const gone = await x.request('GET', '/v1/merchant/webhook', { token: shop.token });
    expect(gone.body).toEqual({ url: null, secretSet: false });
  });

  it('streams live events over SSE, replays after Last-Event-ID, and unsubscribes on close', async () => {
    const alice = await x.signUp('person');
    const bob = await x.signUp('person');
    await x.fund(alice.accountId, 'USDT', 20_000_000n);
    const ticketFor = async (token: string) => {
      const issued = await x.request('POST', '/v1/notifications/stream-tickets', { token });
      expect(issued.status).toBe(201);
      expect(issued.body.url).toContain(encodeURIComponent(issued.body.ticket));
      return issued.body.ticket as string;
    };
    const before = x.exchange.hub.connections;
    const feed = await stream(await ticketFor(bob.token));
    expect(feed.status).toBe(200);
    expect(feed.contentType).toMatch(/^text\/event-stream/);
    expect(x.exchange.hub.connections).toBe(before + 1);

    const first = await transfer(alice, bob.id, '1', 'first');
    const live = await feed.next();
    expect(live.event).toBe('transfer.received');
    const payload = JSON.parse(live.data as string);
    expect(payload).toMatchObject({
      type: 'transfer.received',
      data: { id: first.id, memo: 'first' },
    });
    const [stored] = (await history(bob.token)).notifications;
    expect(live.id).toBe(String(stored?.seq));
    expect(payload.id).toBe(stored?.id);
    // Alice's own notice goes to Alice's feed, not Bob's.
    await transfer(alice, (await x.signUp('person')).id, '1', 'not for bob');
    await transfer(alice, bob.id, '1', 'second');
    expect(JSON.parse((await feed.next()).data as string).data.memo).toBe('second');

    // Closing unsubscribes; what happens meanwhile is replayed after the last id the client saw.
    feed.close();
    await expect.poll(() => x.exchange.hub.connections).toBe(before);
    const seen = (await history(bob.token)).nextAfter;
    await transfer(alice, bob.id, '2', 'third');
    await transfer(alice, bob.id, '3', 'fourth');
    // Last-Event-ID (what EventSource sends on reconnect) wins over `after` in the URL.
    const resumed = await stream(await ticketFor(bob.token), '&after=0', {
      'last-event-id': String(seen),
    });
    expect(resumed.status).toBe(200);
    const third = await resumed.next();
    const fourth = await resumed.next();
    expect([third, fourth].map((e) => JSON.parse(e.data as string).data.memo)).toEqual([
      'third',
      'fourth',
    ]);
    expect(Number(third.id)).toBeGreaterThan(seen);
    expect(Number(fourth.id)).toBeGreaterThan(Number(third.id));
    // …and then live ones on the same connection.
    await transfer(alice, bob.id, '4', 'fifth');
    expect(JSON.parse((await resumed.next()).data as string).data.memo).toBe('fifth');
    resumed.close();

    // Without Last-Event-ID, `after` chooses where the replay starts.
    const everything = await stream(await ticketFor(bob.token), '&after=0');
    const memos: string[] = [];
    for (let i = 0; i < 5; i++)
      memos.push(JSON.parse((await everything.next()).data as string).data.memo);
    expect(memos).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
    everything.close();
    await expect.poll(() => x.exchange.hub.connections).toBe(before);
  });

  it('answers a malformed or unknown Last-Event-ID with 200, retry:, a reset event and the whole history', async () => {
    const alice = await x.signUp('person');
    const erin = await x.signUp('person');
    await x.fund(alice.accountId, 'USDT', 20_000_000n);
    await transfer(alice, erin.id, '1', 'one');
    await transfer(alice, erin.id, '1', 'two');
    const ticketFor = async () =>
      (await x.request('POST', '/v1/notifications/stream-tickets', { token: erin.token })).body
        .ticket as string;
    // A browser EventSource stops for good on an error status; this must stay a stream.
    // Neither is a seq this feed sent: malformed, or beyond the last one (another server's).
    for (const [query, headers, reason] of [
      ['', { 'last-event-id': 'garbage' }, 'malformed_last_event_id'],
      ['&after=12abc', {}, 'malformed_last_event_id'],
      ['', { 'last-event-id': '999999999999' }, 'unknown_last_event_id'],
    ] as const) {
      const feed = await stream(await ticketFor(), query, headers);
      expect(feed.status).toBe(200);
      const reset = await feed.next();
      expect(reset.event).toBe('reset');
      expect(reset.id).toBe('');
      expect(JSON.parse(reset.data as string)).toEqual({ reason });
      const memos = [await feed.next(), await feed.next()].map(
        (e) => JSON.parse(e.data as string).data.memo,
      );
      expect(memos).toEqual(['one', 'two']);
      feed.close();
    }
    // Every stream opens with the reconnection wait, before any event.
    const opening = await firstChunk(
      `${base}/v1/notifications/stream?ticket=${encodeURIComponent(await ticketFor())}`,
    );
    expect(opening).toMatch(/^retry: [0-9]+\n/);
  });

  it("opens with the subscriber's bearer token as the ticketing feed does, the header winning over a ticket", async () => {
    const alice = await x.signUp('person');
    const frank = await x.signUp('person');
    await x.fund(alice.accountId, 'USDT', 20_000_000n);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const feed = await openStream(`${base}/v1/notifications/stream`, bearer(frank.token));
    streams.push(feed);
    expect(feed.status).toBe(200);
    await transfer(alice, frank.id, '1', 'by header');
    const live = await feed.next();
    expect(live.event).toBe('transfer.received');
    expect(JSON.parse(live.data as string).data.memo).toBe('by header');
    feed.close();

    // A header, when sent, is what counts: a bad one is refused even beside a good ticket.
    const issued = await x.request('POST', '/v1/notifications/stream-tickets', {
      token: frank.token,
    });
    const withTicket = `/v1/notifications/stream?ticket=${encodeURIComponent(issued.body.ticket)}`;
    const forged = await x.request('GET', withTicket, {
      token: 'xs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(forged.status).toBe(401);
    // The operator is no subscriber: it has no feed of its own.
    const operator = await x.request('GET', '/v1/notifications/stream', {
      token: x.exchange.config.operatorToken,
    });
    expect(operator.status).toBe(403);
  });

  it('refuses a bad, tampered or expired ticket with 401, and a sixth stream with 429', async () => {
    const carol = await x.signUp('person');
    const dave = await x.signUp('person');
    const injected = (ticket: string) =>
      x.request('GET', `/v1/notifications/stream?ticket=${encodeURIComponent(ticket)}`);
    expect((await injected('nonsense')).status).toBe(401);
    const issued = await x.request('POST', '/v1/notifications/stream-tickets', {
      token: carol.token,
    });
    const ticket = issued.body.ticket as string;
    // Someone else's id on Carol's ticket: the MAC does not match.
    const forged = ticket.replace(carol.id, dave.id);
    expect(forged).not.toBe(ticket);
    const refused = await injected(forged);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_ticket');
    const [id, expires, mac] = ticket.split('.');
    expect((await injected(`${id}.${Number(expires) + 60_000}.${mac}`)).status).toBe(401);
    // Neither a ticket nor a bearer token: no credential, as on every other route.
    const noTicket = await x.request('GET', '/v1/notifications/stream');
    expect(noTicket.status).toBe(401);
    const anonymous = await x.request('POST', '/v1/notifications/stream-tickets');
    expect(anonymous.status).toBe(401);

    const open: Awaited<ReturnType<typeof stream>>[] = [];
    for (let i = 0; i < 5; i++) {
      const ok = await stream(ticket);
      expect(ok.status).toBe(200);
      open.push(ok);
    }
    const sixth = await stream(ticket);
    expect(sixth.status).toBe(429);
    expect(JSON.parse(await sixth.text()).error.code).toBe('too_many_streams');
    // Another subscriber is not limited by Carol's streams.
    const daveTicket = await x.request('POST', '/v1/notifications/stream-tickets', {
      token: dave.token,
    });
    const daves = await stream(daveTicket.body.ticket);
    expect(daves.status).toBe(200);
    daves.close();

    // Closing one frees a place.
    open[0]?.close();
    await expect
      .poll(async () => {
        const retry = await stream(ticket);
        if (retry.status !== 200) retry.close();
        return retry.status;
      })
      .toBe(200);

    // After 60 s the ticket is worthless.
    x.clock.advance(60_000);
    expect((await injected(ticket)).status).toBe(401);
  });

  it('ends open streams when the app closes, so shutdown does not wait for them', async () => {
    const other = await startTestExchange(backend);
    try {
      await other.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (other.app.server.address() as AddressInfo).port;
      const erin = await other.signUp('person');
      const issued = await other.request('POST', '/v1/notifications/stream-tickets', {
        token: erin.token,
      });
      const feed = await openStream(
        `http://127.0.0.1:${port}/v1/notifications/stream?ticket=${issued.body.ticket}`,
      );
      expect(feed.status).toBe(200);
      const ended = feed.text();
      await other.app.close();
      // The server ended the response itself: the client sees the end of the stream.
      expect(await ended).toContain(': connected');
      expect(other.exchange.hub.connections).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('requires https for webhooks in production', async () => {
    const prod = await startTestExchange(backend, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      EXCHANGE_SECRET_KEY: randomBytes(32).toString('hex'),
      EXCHANGE_OPERATOR_TOKEN: 'operator-token-for-the-production-test',
      EXCHANGE_SMS_URL: 'https://sms.example/send',
    });
    try {
      const shop = await prod.signUp('merchant');
      const plain = await prod.request('PUT', '/v1/merchant/webhook', {
        token: shop.token,
        body: { url: 'http://shop.example/hooks' },
      });
      expect(plain.status).toBe(400);
      expect(plain.body.error.code).toBe('https_required');
      const secure = await prod.request('PUT', '/v1/merchant/webhook', {
        token: shop.token,
        body: { url: 'https://shop.example/hooks' },
      });
      expect(secure.status).toBe(200);
    } finally {
      await prod.close();
    }
  });
});
