/**
 * Issue 21, item 13: the recipient of a transfer is told who sends it. In two phone-sized
 * Chromiums against the real servers: the sender offers a ticket from the app; the recipient's
 * offer reads "<sender> sent you a ticket for <event>", the sender's number masked while they
 * gave no name, their first name once they have, in English and in Korean.
 */

import { displayPhone } from '@tessera/web-kit/phone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, shot, signIn } from '../../../scripts/test/apps/driver.ts';
import { type MobileSystem, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';

const stepTimeoutMs = 120_000;

describe('the recipient of a transfer is told who sends it', () => {
  let system: MobileSystem;
  const browsers: Awaited<ReturnType<typeof launchChromium>>[] = [];

  beforeAll(async () => {
    system = await startMobileSystem({ backend: 'sqlite' });
  }, stepTimeoutMs);

  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    await system?.close();
  });

  it(
    'names the sender by the masked number, then by the first name they gave, in both languages',
    async () => {
      const tonight = await system.createTonight(await system.organizerSession());
      const sender = system.newPhone();
      const recipient = system.newPhone();
      // A seat bought for the sender's number elsewhere, which the sender adds to their phone.
      await system.buyForNumber(sender, tonight.performanceId, 'Orchestra/A/1');

      const senderBrowser = await launchChromium();
      browsers.push(senderBrowser);
      const page = await openPage(senderBrowser.context, system);
      await signIn(page, system, sender);
      await page
        .getByRole('region', { name: 'Tickets for you' })
        .getByRole('button', { name: 'Add to this phone' })
        .click();
      const mine = page.getByRole('region', { name: 'Your tickets' }).locator('a[data-ticket-id]');
      await mine.first().click();
      await page.getByRole('button', { name: 'Send to someone' }).click();
      await page.getByLabel('Their phone number').fill(recipient);
      await page.getByLabel('Their phone number').press('Enter');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText(`Offered to ${displayPhone(recipient)}.`, { exact: false }).waitFor();

      const recipientBrowser = await launchChromium();
      browsers.push(recipientBrowser);
      const phone = await openPage(recipientBrowser.context, system);
      await signIn(phone, system, recipient);
      const offer = phone.getByRole('region', { name: 'Tickets for you' });
      // 010-****-1234: the sender's number with its middle hidden, never the whole number.
      const national = `0${sender.slice(3)}`;
      const masked = `${national.slice(0, 3)}-****-${national.slice(-4)}`;
      await offer
        .getByRole('heading', { name: `${masked} sent you a ticket for Tonight Recital` })
        .waitFor();
      expect(await phone.locator('body').innerText()).not.toContain(national);
      await shot(phone, 'mobile-transfer-from-masked-number');

      // The sender gives a first name at their next sign-in: the offer now names them.
      await system.ticketing('POST', '/v1/auth/codes', { phone: sender });
      const named = await system.ticketing('POST', '/v1/auth/sessions', {
        phone: sender,
        code: await system.smsCode('ticketing', sender),
        firstName: 'Minji',
      });
      expect(named.status).toBe(201);
      await phone.reload();
      await offer
        .getByRole('heading', { name: 'Minji sent you a ticket for Tonight Recital' })
        .waitFor();
      await shot(phone, 'mobile-transfer-from-name');

      await phone.getByRole('button', { name: /^한국어/ }).click();
      await phone
        .getByRole('heading', { name: 'Minji님이 Tonight Recital 티켓을 보냈습니다' })
        .waitFor();
      await shot(phone, 'mobile-transfer-from-name-ko');
    },
    stepTimeoutMs,
  );
});
