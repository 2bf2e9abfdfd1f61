/**
 * The console's sales screens in headless Chromium against the real servers, on both databases:
 * a seat bought in the buyer's way shows sold within seconds without a reload (the count, the
 * seat on the map, the revenue with its KRW value); the orders are found by the buyer's phone
 * typed with dashes and by a ticket number; a ticket is refunded with a reason (none first: the
 * message is next to the field); cancelling a performance refunds every ticket with progress; a
 * box office member sees the sales but no refund or cancel buttons.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import type { OrderTicket } from '../src/sales/api.ts';
import { fiatValue } from '../src/sales/money.ts';
import { isSearchable } from '../src/sales/orders.tsx';
import { amountsOf } from '../src/sales/refund-dialog.tsx';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;
/** "A new sale within seconds": the screen polls every 5 s. */
const saleShownMs = 15_000;

/** `+821000000001` as people type it: `010-0000-0001`. */
function typed(e164: string) {
  const national = `0${e164.slice(3)}`;
  return `${national.slice(0, 3)}-${national.slice(3, national.length - 4)}-${national.slice(-4)}`;
}

interface OrderTicketBody {
  id: string;
  number: string;
  status: string;
}

describe.each(['sqlite', 'postgres'] as const)('the console sales screens on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let token: string;
  let concertId: string;
  let firstPerformanceId: string;
  let sold: { orderId: string; ticket: OrderTicketBody };

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchChromium();
    context = browser.context;
    token = await system.organizerSession();
    const events = await system.ticketing(
      'GET',
      `/v1/organizers/${system.organizerId}/events`,
      undefined,
      token,
    );
    const concert = (events.body.events as { id: string; slug: string; status: string }[]).find(
      (event) => event.slug === 'winter-concert',
    );
    if (!concert) throw new Error('the demo Winter Concert is missing');
    concertId = concert.id;
    if (concert.status !== 'published') {
      const published = await system.ticketing(
        'POST',
        `/v1/events/${concertId}/publish`,
        undefined,
        token,
      );
      expect(published.status).toBe(200);
    }
    const sales = await system.ticketing('GET', `/v1/events/${concertId}/sales`, undefined, token);
    // The screen shows the first performance by start until another is picked.
    firstPerformanceId = sales.body.performances[0].id;
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  /** A page signed in as `phone` (the browser keeps one session: the previous one is dropped). */
  const signedIn = async (phone: string) => {
    const page = await context.newPage();
    await page.goto(system.consoleUrl);
    await page.evaluate(() => localStorage.removeItem('tessera.console.session'));
    await system.signIn(page, phone);
    return page;
  };

  /**
   * The demo buyer buys these seats in one order, sent to a new phone number (so no device of
   * theirs is needed), and pays it at the exchange; returns the order once issued.
   */
  const buySeats = async (performanceId: string, seats: readonly string[]) => {
    const phone = demoAccounts.buyer.phone;
    const signIn = async (server: 'ticketing' | 'exchange', kind?: string) => {
      const call = server === 'ticketing' ? system.ticketing : system.exchange;
      await call('POST', '/v1/auth/codes', { phone });
      const code = await system.smsCode(server, phone);
      const session = await call('POST', '/v1/auth/sessions', {
        phone,
        code,
        ...(kind ? { kind } : {}),
      });
      return session.body.token as string;
    };
    const buyer = await signIn('ticketing');
    const map = await system.ticketing('GET', `/v1/performances/${performanceId}/availability`);
    const rows = map.body.seats.rows as {
      section: string;
      row: string;
      ids: string[];
      numbers: string[];
    }[];
    const seatIds = seats.map((seat) => {
      const [section, row, number] = seat.split('/');
      const found = rows.find((r) => r.section === section && r.row === row);
      return found?.ids[found.numbers.indexOf(number as string)];
    });
    const hold = await system.ticketing(
      'POST',
      '/v1/holds',
      { performanceId, seats: seatIds },
      buyer,
    );
    expect(hold.status).toBe(201);
    const order = await system.ticketing(
      'POST',
      '/v1/orders',
      { holdId: hold.body.id, deliverTo: system.newPhone() },
      buyer,
    );
    expect(order.status).toBe(201);
    const wallet = await signIn('exchange', 'person');
    const paid = await system.exchange(
      'POST',
      `/v1/payment-requests/${order.body.payment.requestId}/pay`,
      {},
      wallet,
      { 'idempotency-key': `sales-test-${order.body.id}` },
    );
    expect(paid.status).toBe(200);
    const issued = await system.ticketing(
      'GET',
      `/v1/orders/${order.body.id}?waitS=20`,
      undefined,
      buyer,
    );
    expect(issued.body.status).toBe('issued');
    return issued.body as { id: string; tickets: { id: string }[] };
  };

  const salesPage = async (page: Page, eventId: string) => {
    await page.goto(`${system.consoleUrl}/o/${system.organizerId}/events/${eventId}/sales`);
    await page.getByRole('heading', { name: /^Sales: / }).waitFor();
  };

  const soldCell = (page: Page, category: string) =>
    page.locator(`tr[data-category="${category}"] td[data-column="sold"]`);

  it(
    'shows a new sale within seconds: the count, the seat on the map, the revenue in KRW; finds the order by phone and ticket number',
    async () => {
      const page = await signedIn(demoAccounts.organizer.phone);
      await salesPage(page, concertId);
      const before = Number((await soldCell(page, 'Orchestra').textContent())?.replace(/\D/g, ''));
      const seat = page.locator('rect[aria-label="Section Orchestra, row B, seat 5: Sold"]');
      await expect(seat.count()).resolves.toBe(0);

      const friend = system.newPhone();
      const order = await system.buyForNumber(friend, firstPerformanceId, 'Orchestra/B/5');
      await expect
        .poll(() => soldCell(page, 'Orchestra').textContent(), { timeout: saleShownMs })
        .toBe(String(before + 1));
      await seat.waitFor({ timeout: saleShownMs });
      await expect(seat.getAttribute('fill')).resolves.toBe('#0072B2');
      const revenue = page.locator('tr[data-category="Orchestra"] .sales-revenue');
      await expect.poll(() => revenue.textContent()).toMatch(/USDT≈ [\d,]+ KRW/);

      // The buyer's phone as people type it finds the order.
      const search = page.getByRole('searchbox', { name: 'Find an order' });
      await search.fill('not a phone');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('Type an order id (ord_…), a 10-digit ticket number').waitFor();
      await expect(search.getAttribute('aria-invalid')).resolves.toBe('true');
      await search.fill(typed(demoAccounts.buyer.phone));
      await page.getByRole('button', { name: 'Search' }).click();
      const row = page.locator(`tr[data-order="${order.id}"]`);
      await row.waitFor();

      // So does the number on one of its tickets, grouped 3-3-4 as the ticket shows it.
      const found = await system.ticketing(
        'GET',
        `/v1/events/${concertId}/orders?q=${order.id}`,
        undefined,
        token,
      );
      const ticket = found.body.orders[0].tickets[0] as OrderTicketBody;
      sold = { orderId: order.id, ticket };
      await search.fill(
        `${ticket.number.slice(0, 3)}-${ticket.number.slice(3, 6)}-${ticket.number.slice(6)}`,
      );
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('Orders found: 1').waitFor();
      await row.waitFor();
      await row.getByRole('button', { name: order.id }).click();
      await page
        .locator(`li[data-ticket="${ticket.number}"]`)
        .getByText("Awaiting the buyer's phone")
        .waitFor();
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'refunds the ticket with a reason: none is refused next to the field; the ticket shows Refunded',
    async () => {
      expect(sold).toBeDefined();
      const page = await signedIn(demoAccounts.organizer.phone);
      await salesPage(page, concertId);
      await page.getByRole('searchbox', { name: 'Find an order' }).fill(sold.orderId);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('Orders found: 1').waitFor();
      await page.getByRole('button', { name: sold.orderId }).click();
      const line = page.locator(`li[data-ticket="${sold.ticket.number}"]`);
      await line.getByRole('button', { name: 'Refund' }).click();
      const dialog = page.locator('dialog');
      await dialog.getByText('goes back to the wallet at the exchange that paid').waitFor();
      await expect(dialog.textContent()).resolves.toContain('55 USDT');
      await expect(dialog.textContent()).resolves.toContain(typed(demoAccounts.buyer.phone));
      await dialog.getByRole('button', { name: 'Refund', exact: true }).click();
      await dialog.getByText('Say why, in a few words.').waitFor();
      const reason = dialog.getByLabel('Reason');
      await expect(reason.getAttribute('aria-invalid')).resolves.toBe('true');
      await reason.fill('The buyer cannot come');
      await dialog.getByRole('button', { name: 'Refund', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await line.getByText('Refunded', { exact: true }).waitFor();
      await line.getByText(/55 USDT refund .*: The buyer cannot come/).waitFor();
      const seen = await system.ticketing('GET', `/v1/tickets/${sold.ticket.id}`, undefined, token);
      expect(seen.body.status).toBe('refunded');
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'refunds a whole order, one call per live ticket; the order shows Refunded',
    async () => {
      const order = await buySeats(firstPerformanceId, ['Orchestra/C/7', 'Orchestra/C/8']);
      const page = await signedIn(demoAccounts.organizer.phone);
      await salesPage(page, concertId);
      await page.getByRole('searchbox', { name: 'Find an order' }).fill(order.id);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('Orders found: 1').waitFor();
      await page.getByRole('button', { name: order.id }).click();
      await page.getByRole('button', { name: 'Refund the order (2 tickets)' }).click();
      const dialog = page.locator('dialog');
      await dialog.getByText('Refund 2 tickets of order').waitFor();
      await expect(dialog.textContent()).resolves.toContain('110 USDT goes back');
      await dialog.getByLabel('Reason').fill('The concert moved; they asked for their money back');
      await dialog.getByRole('button', { name: 'Refund', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      const row = page.locator(`tr[data-order="${order.id}"]`);
      await row.getByText('Refunded', { exact: true }).waitFor();
      for (const ticket of order.tickets) {
        const seen = await system.ticketing('GET', `/v1/tickets/${ticket.id}`, undefined, token);
        expect(seen.body.status).toBe('refunded');
      }
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'cancels another performance: every ticket refunded, with progress up to the total',
    async () => {
      const tonight = await system.createTonight(token, 'Cancelled Recital');
      for (const seat of ['Orchestra/A/1', 'Orchestra/A/2']) {
        await system.buyForNumber(system.newPhone(), tonight.performanceId, seat);
      }
      const page = await signedIn(demoAccounts.organizer.phone);
      await salesPage(page, tonight.eventId);
      await page.getByRole('button', { name: 'Cancel this performance…' }).click();
      await page.getByText('its 2 tickets are cancelled and refunded').waitFor();
      const confirm = page.getByRole('button', {
        name: 'Cancel the performance and refund everyone',
      });
      await confirm.click();
      await page.getByText(`Type ${tonight.performanceCode} exactly.`).waitFor();
      await page
        .getByLabel(`Type ${tonight.performanceCode} to confirm`)
        .fill(tonight.performanceCode);
      await confirm.click();
      await page.getByText('2 of 2 tickets cancelled').waitFor({ timeout: 60_000 });
      await page.getByText('2 refunds queued').waitFor();
      const sales = await system.ticketing(
        'GET',
        `/v1/events/${tonight.eventId}/sales`,
        undefined,
        token,
      );
      expect(sales.body.performances[0].status).toBe('cancelled');
      expect(sales.body.performances[0].totals.tickets).toBe(0);
      const refunds = sales.body.refunds as { status: string; count: number }[];
      expect(refunds.reduce((sum, r) => sum + r.count, 0)).toBe(2);
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'a box office member sees the sales but no refund or cancel buttons',
    async () => {
      const phone = await system.addDemoStaff('box_office', token);
      const page = await signedIn(phone);
      await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
      // The organization's first screen has drawn (any redirect to it done) before moving on.
      await page.locator('h1').waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Sales' }).click();
      await page.getByRole('heading', { name: 'Sales', exact: true }).waitFor();
      await page.getByRole('link', { name: 'Winter Concert' }).click();
      await page.getByRole('heading', { name: 'Sales: Winter Concert' }).waitFor();
      await page.getByRole('heading', { name: 'Tickets by category' }).waitFor();
      await page.getByRole('searchbox', { name: 'Find an order' }).fill(sold.orderId);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('Orders found: 1').waitFor();
      await page.getByRole('button', { name: sold.orderId }).click();
      await page.locator(`li[data-ticket="${sold.ticket.number}"]`).waitFor();
      await expect(page.getByRole('button', { name: /^Refund/ }).count()).resolves.toBe(0);
      await expect(
        page.getByRole('button', { name: /^Cancel this performance/ }).count(),
      ).resolves.toBe(0);
      await page.close();
    },
    stepTimeoutMs,
  );
});

describe('the sales screens’ arithmetic and search check', () => {
  it('values an amount in KRW exactly, rounded half up to whole won', () => {
    expect(fiatValue('55', '1407')).toBe('77385');
    expect(fiatValue('52.5', '1407.25')).toBe('73881');
    expect(fiatValue('0.000001', '1400')).toBe('0');
    expect(fiatValue('0.0005', '1000')).toBe('1');
    // 18 decimals and a large amount never pass through floating point.
    expect(fiatValue('123456789.123456789123456789', '2')).toBe('246913578');
    expect(fiatValue('abc', '1')).toBeUndefined();
  });

  it('sums the tickets of an order per asset in their smallest units', () => {
    const ticket = (amount: string, asset: string) =>
      ({ price: { amount, asset } }) as unknown as OrderTicket;
    expect(
      amountsOf([
        ticket('0.1', 'ETH'),
        ticket('0.2', 'ETH'),
        ticket('55', 'USDT'),
        ticket('1.05', 'USDT'),
      ]),
    ).toEqual([
      { asset: 'ETH', amount: '0.3' },
      { asset: 'USDT', amount: '56.05' },
    ]);
  });

  it('lets through only what the server can search by', () => {
    expect(isSearchable('ord_abcdefgh12')).toBe(true);
    expect(isSearchable('331-914-4901')).toBe(true);
    expect(isSearchable('010-1234-5678')).toBe(true);
    expect(isSearchable('+82 10 1234 5678')).toBe(true);
    expect(isSearchable('Minji')).toBe(false);
    expect(isSearchable('ord_')).toBe(false);
  });
});
