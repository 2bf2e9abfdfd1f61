/**
 * A ticket's state after the gates, and a transit pass's own words, in a phone-sized Chromium
 * against the real servers (issue 21, items 6 and 10): a gate admits the ticket on screen and it
 * turns Used with no barcode left; a multi-ride pass says how many rides are left and a
 * stored-value card its balance; a ticket the organizer refunds while the phone is offline shows
 * the last known state "as of" then, and Refunded once the phone is back online; the pass is
 * chosen, held and opened in a pass's words. The gate is a terminal enrolled through the API,
 * reading the barcode off the screen as a scanner would. One database is enough here: the
 * server's usage is tested on both (services/ticketing/test/ticket-usage.test.ts).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMoneyByCard,
  buyCrypto,
  connectWallet,
  openPage,
  payOrder,
  readBarcode,
  shot,
  signIn,
} from '../../../scripts/test/apps/driver.ts';
import { type MobileSystem, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';

const stepTimeoutMs = 120_000;

describe("ticket states and a pass's words in the buyer's app", () => {
  let system: MobileSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let organizerToken: string;
  let tonight: Awaited<ReturnType<MobileSystem['createTonight']>>;
  let transit: Awaited<ReturnType<typeof createTransitTonight>>;
  let hallGate: string;
  let stationGate: string;

  /** The demo organizer's venue whose name starts so. */
  async function venueId(startsWith: string) {
    const venues = await system.ticketing(
      'GET',
      `/v1/organizers/${system.organizerId}/venues`,
      undefined,
      organizerToken,
    );
    const venue = (venues.body.venues as { id: string; name: string }[]).find((candidate) =>
      candidate.name.startsWith(startsWith),
    );
    if (!venue) throw new Error(`no venue ${startsWith}`);
    return venue.id;
  }

  /**
   * A transit pass on sale and valid now at the station: three rides, or a 10,000 KRW card, each
   * 2 USDT (the demo's own pass opens tomorrow morning).
   */
  async function createTransitTonight() {
    const now = Date.now();
    const pass = {
      pricing: 'crypto',
      priceAsset: 'USDT',
      price: '2',
      seating: 'ga',
      area: 'Gates',
    };
    const created = await system.ticketing(
      'POST',
      `/v1/organizers/${system.organizerId}/events`,
      {
        slug: `transit-${Math.random().toString(36).slice(2, 8)}`,
        name: 'Metro Pass',
        venueId: await venueId('Seoul Station'),
        refundPolicy: 'until_start',
        refundCutoffS: 0,
        categories: [
          { name: '3 rides', ...pass, quota: 100, kind: 'multi', entriesAllowed: 3 },
          {
            name: 'Card',
            ...pass,
            quota: 100,
            kind: 'stored_value',
            storedValue: '10000',
            storedValueAsset: 'KRW',
          },
        ],
        performances: [
          {
            doorsAt: new Date(now - 10 * 60_000).toISOString(),
            startsAt: new Date(now + 2 * 3_600_000).toISOString(),
            endsAt: new Date(now + 20 * 3_600_000).toISOString(),
          },
        ],
      },
      organizerToken,
    );
    if (created.status !== 201) throw new Error(`transit: ${created.status}`);
    const published = await system.ticketing(
      'POST',
      `/v1/events/${created.body.id}/publish`,
      undefined,
      organizerToken,
    );
    if (published.status !== 200) throw new Error(`publish: ${published.status}`);
    return {
      eventId: created.body.id as string,
      performanceId: created.body.performances[0].id as string,
    };
  }

  /** A gate terminal of the venue for these performances, enrolled with a code: its token. */
  async function enrolGate(venue: string, performanceIds: string[]) {
    const made = await system.ticketing(
      'POST',
      `/v1/organizers/${system.organizerId}/enrolments`,
      { venueId: await venueId(venue), gate: 'Main', performanceIds },
      organizerToken,
    );
    if (made.status !== 201) throw new Error(`enrolment: ${made.status}`);
    const enrolled = await system.ticketing('POST', '/v1/terminals/enrol', {
      code: made.body.code,
      name: `${venue} scanner`,
    });
    return enrolled.body.token as string;
  }

  /** The gate reads the barcode on screen and answers. */
  async function scanAtGate(gateToken: string, body: { debit?: string } = {}) {
    const { text } = await readBarcode(page);
    const answer = await system.ticketing(
      'POST',
      '/v1/terminal/verifications',
      { barcode: text, ...body },
      gateToken,
    );
    expect(answer.status).toBe(200);
    return answer.body as { admitted: boolean; reason: string };
  }

  /** Holds `category` of the pass, pays, and opens the pass (all in the pass's words). */
  async function buyPass(category: string) {
    await page.goto(new URL(`/events/${transit.eventId}`, system.appUrl).href);
    await page.getByRole('link', { name: 'Choose your pass' }).click();
    await page.getByRole('radio', { name: new RegExp(`^${category} ·`) }).check();
    await shot(page, 'mobile-pass-choose');
    await page.getByRole('button', { name: 'Hold and go to payment' }).click();
    await page.getByText('Your pass is held until the time runs out.').waitFor();
    await page
      .getByRole('region', { name: 'Metro Pass' })
      .getByText(category, { exact: true })
      .waitFor();
    await shot(page, 'mobile-pass-held');
    expect(await page.getByText(/seats/).count()).toBe(0);
    await page.getByRole('button', { name: /^Pay / }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm the payment' });
    await dialog.getByRole('button', { name: 'Pay now' }).click();
    await page.getByRole('heading', { name: 'Your pass is ready.' }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: /^Open the pass/ }).click();
    await page.getByRole('heading', { name: 'Metro Pass' }).waitFor();
  }

  const badge = () => page.locator('.ticket-state .badge');

  beforeAll(async () => {
    system = await startMobileSystem({ backend: 'sqlite' });
    browser = await launchChromium();
    context = browser.context;
    organizerToken = await system.organizerSession();
    tonight = await system.createTonight(organizerToken);
    transit = await createTransitTonight();
    hallGate = await enrolGate('Seoul Arts Center', [tonight.performanceId]);
    stationGate = await enrolGate('Seoul Station', [transit.performanceId]);
    const phone = system.newPhone();
    page = await openPage(context, system);
    await signIn(page, system, phone);
    await connectWallet(page, system, phone);
    await addMoneyByCard(page, '100000', '4242424242424242');
    await page
      .getByRole('region', { name: 'Add money' })
      .getByText('100,000 KRW was added to your wallet.')
      .waitFor();
    await buyCrypto(page, 'USDT', '40');
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it(
    'a ticket the gate admits turns Used on the barcode screen, with no barcode left',
    async () => {
      await page.goto(new URL(`/performances/${tonight.performanceId}`, system.appUrl).href);
      await page.getByRole('radio', { name: /^Standing ·/ }).check();
      await page.getByRole('button', { name: 'Hold and go to payment' }).click();
      await page.getByText('Your seats are held until the time runs out.').waitFor();
      await payOrder(page);
      await page.getByRole('link', { name: /^Open the ticket/ }).click();
      await badge().getByText('Valid', { exact: true }).waitFor();

      // The phone stays on the barcode while the gate scans it: the screen learns by itself.
      expect(await scanAtGate(hallGate)).toMatchObject({ admitted: true, reason: 'valid' });
      await badge()
        .getByText(/^Used: admitted at /)
        .waitFor();
      await expect(page.getByTestId('barcode').count()).resolves.toBe(0);
      await page.getByText('This ticket has been used, so there is no barcode to show.').waitFor();
      // Neither refund nor transfer is offered for a used ticket.
      await expect(page.getByRole('button', { name: 'Send to someone' }).count()).resolves.toBe(0);
      await shot(page, 'mobile-ticket-used');

      // The list keeps it apart, with its state.
      await page.getByRole('navigation').getByRole('link', { name: 'Tickets' }).click();
      const inactive = page.getByRole('region', { name: 'No longer valid' });
      await inactive.getByText(/^Used: admitted at /).waitFor();
      await shot(page, 'mobile-tickets-used');
    },
    stepTimeoutMs,
  );

  it(
    "a transit pass is chosen and held in a pass's words, and says how many rides are left",
    async () => {
      await page.goto(new URL(`/events/${transit.eventId}`, system.appUrl).href);
      await page.getByRole('link', { name: 'Choose your pass' }).waitFor();
      await expect(page.getByText('Choose seats').count()).resolves.toBe(0);
      await shot(page, 'mobile-transit-event');
      await buyPass('3 rides');
      // No show, no doors: valid from one time to another.
      await page.getByText(/^Valid .+ to .+/).waitFor();
      await expect(page.getByText(/^Doors /).count()).resolves.toBe(0);
      await expect(page.locator('.facts').textContent()).resolves.toContain('3 rides');

      expect(await scanAtGate(stationGate)).toMatchObject({ admitted: true });
      await badge().getByText('Partly used: 2 of 3 rides left').waitFor();
      // Rides are left: the barcode stays.
      await page.getByTestId('barcode').waitFor();
      await shot(page, 'mobile-pass-rides-left');
    },
    stepTimeoutMs,
  );

  it(
    "a stored-value card shows its balance, and what is left after a gate's debit",
    async () => {
      await buyPass('Card');
      await page.locator('.ticket-state').getByText('Balance 10,000 KRW').waitFor();
      expect(await scanAtGate(stationGate, { debit: '2500' })).toMatchObject({ admitted: true });
      await badge().getByText('Partly used: 7,500 KRW left').waitFor();
      await shot(page, 'mobile-card-balance');

      await page.getByRole('navigation').getByRole('link', { name: 'Tickets' }).click();
      const mine = page.getByRole('region', { name: 'Your tickets' });
      await mine.getByText('Partly used: 7,500 KRW left').waitFor();
      await mine.getByText('Partly used: 2 of 3 rides left').waitFor();
      await shot(page, 'mobile-tickets-passes');
    },
    stepTimeoutMs,
  );

  it('says the same in Korean', async () => {
    const korean = await context.newPage();
    try {
      await korean.setViewportSize({ width: 360, height: 640 });
      await korean.addInitScript(() => {
        localStorage.removeItem('tessera.lang');
        Object.defineProperty(navigator, 'languages', { get: () => ['ko-KR', 'ko', 'en'] });
      });
      await korean.goto(new URL('/', system.appUrl).href);
      const mine = korean.getByRole('region', { name: '내 티켓' });
      await mine.getByText('일부 사용: 3회 중 2회 남음').waitFor();
      await mine.getByText(/^일부 사용: .*7,500.* 남음$/).waitFor();
      await korean
        .getByRole('region', { name: '더 이상 유효하지 않음' })
        .getByText(/^사용됨: .+ 입장$/)
        .waitFor();
      await shot(korean, 'mobile-tickets-passes-ko');
      await korean.goto(new URL(`/events/${transit.eventId}`, system.appUrl).href);
      await korean.getByRole('link', { name: '이용권 선택' }).waitFor();
    } finally {
      await korean.evaluate(() => localStorage.removeItem('tessera.lang'));
      await korean.close();
    }
  });

  it(
    'offline shows the last known state as of then; back online, a refund made meanwhile shows',
    async () => {
      await buyPass('3 rides');
      const ticketId = new URL(page.url()).pathname.split('/').at(-1) as string;
      await badge().getByText('Valid', { exact: true }).waitFor();

      await context.setOffline(true);
      try {
        await page
          .locator('.ticket-state')
          .getByText(/^Offline: as of /)
          .waitFor();
        // The organizer refunds it meanwhile; the phone cannot know yet.
        const refunded = await system.ticketing(
          'POST',
          `/v1/organizers/${system.organizerId}/tickets/${ticketId}/refund`,
          {},
          organizerToken,
        );
        expect(refunded.status).toBe(200);
        await page.getByTestId('barcode').waitFor();
        await shot(page, 'mobile-ticket-offline-as-of');
      } finally {
        await context.setOffline(false);
      }
      await badge().getByText('Refunded: no longer valid').waitFor();
      await expect(page.getByTestId('barcode').count()).resolves.toBe(0);
      await expect(page.getByText(/^Offline: as of /).count()).resolves.toBe(0);
      await shot(page, 'mobile-ticket-refunded');
    },
    stepTimeoutMs,
  );
});
