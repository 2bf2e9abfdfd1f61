/**
 * The threats of ARCHITECTURE.md section 3, each as its own test through the terminal's HTTP API
 * (POST /v1/terminal/verifications): forged, tampered, another event, another organizer, copied
 * to another phone, a replayed screenshot, an old revision after a transfer, a reissue or a
 * refund, a revoked or unenrolled terminal, and manual-code guessing. Every refusal must leave
 * no admission behind and an entry in the append-only audit log.
 */

import { createHash } from 'node:crypto';
import {
  credentialSigningInput,
  decodeCredential,
  encodeCredential,
  encodeCredentialBody,
  encodePresentation,
  fromBase64url,
  presentationSigningInput,
  presentationToText,
  toBase64url,
} from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signerFor } from '../src/organizers/keys.ts';
import { type Buyer, buy, type EventSetup, setupEvent } from './fixtures.ts';
import {
  admissionsOf,
  barcode,
  createNamedBuyer,
  enrolTerminal,
  type HeldTicket,
  nowS,
  scan,
  type Terminal,
  ticketsOfOrder,
  toDoors,
  upload,
} from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

/** The venue of `setupEvent` and a point well outside its 300 m radius. */
const atVenue = { latitude: 37.4786, longitude: 127.0115, accuracyM: 10 };

describe.each(backends)('gate threats on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Buys `quantity` seats of performance `index` for the buyer; the tickets on their phone. */
  async function buySeats(setup: EventSetup, buyer: Buyer, quantity = 1, index = 0) {
    const { order } = await buy(s, buyer, {
      performanceId: setup.performanceIds[index] as string,
      categoryId: setup.categories.Seated as string,
      quantity,
    });
    if (!order) throw new Error('no order');
    const tickets = await ticketsOfOrder(s, buyer, order.body.id);
    expect(tickets).toHaveLength(quantity);
    return tickets;
  }

  const decisionsOf = (terminal: Terminal) =>
    s.database.db
      .selectFrom('gate_decisions')
      .selectAll()
      .where('terminal_id', '=', terminal.id)
      .orderBy('seq')
      .execute();

  /** The refusal the terminal got, with nothing admitted and the decision in the audit log. */
  async function expectRefused(
    terminal: Terminal,
    ticket: { id: string },
    response: Awaited<ReturnType<typeof scan>>,
    reason: string,
  ) {
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toMatchObject({ admitted: false, reason });
    expect(response.body.admissionId).toBeUndefined();
    expect(await admissionsOf(s, ticket.id)).toEqual([]);
    const logged = await decisionsOf(terminal);
    expect(logged.at(-1)).toMatchObject({ admitted: 0, reason });
  }

  it('admits a genuine barcode once and answers the next scan with when, where and which gate', async () => {
    const setup = await setupEvent(s);
    const buyer = await createNamedBuyer(s, 'Minji');
    const [ticket] = (await buySeats(setup, buyer)) as [HeldTicket];
    const north = await enrolTerminal(s, setup, { gate: 'North' });
    const south = await enrolTerminal(s, setup, { gate: 'South' });
    toDoors(s, setup.startsAt);

    const first = await scan(s, north, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
      position: atVenue,
    });
    expect(first.status, first.raw).toBe(200);
    expect(first.body).toMatchObject({
      admitted: true,
      reason: 'valid',
      ticket: {
        id: ticket.id,
        number: ticket.number,
        performanceCode: setup.performanceCodes[0],
        category: 'Seated',
        holderFirstName: 'Minji',
        kind: 'single',
        usesRemaining: 0,
      },
    });
    expect(first.body.ticket.seat).toMatch(/^A /);
    expect(typeof first.body.admissionId).toBe('string');

    s.clock.advance(20_000);
    const second = await scan(s, south, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
    });
    expect(second.body).toMatchObject({
      admitted: false,
      reason: 'already_used',
      firstAdmission: {
        gate: 'North',
        terminalId: north.id,
        latitude: atVenue.latitude,
        longitude: atVenue.longitude,
      },
    });
    expect(Date.parse(second.body.firstAdmission.at)).toBe(s.clock.now() - 20_000);
    const admissions = await admissionsOf(s, ticket.id);
    expect(admissions).toHaveLength(1);
    expect(admissions[0]).toMatchObject({
      id: first.body.admissionId,
      gate: 'North',
      terminal_id: north.id,
      direction: 'entry',
      source: 'online',
      duplicate: 0,
      outside_venue: 0,
    });
    // Both decisions are in the audit log, the refusal included.
    expect((await decisionsOf(north)).map((d) => [d.admitted, d.reason])).toEqual([[1, 'valid']]);
    expect((await decisionsOf(south)).map((d) => [d.admitted, d.reason])).toEqual([
      [0, 'already_used'],
    ]);
  });

  it('forged: refuses a credential signed by a key the organizer never had', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const [ticket] = (await buySeats(setup, buyer)) as [HeldTicket];
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    const genuine = decodeCredential(fromBase64url(ticket.credential as string));

    // A forger's own key signs a perfect copy of the ticket's fields, bound to the forger's phone.
    const forgerKey = await protocol.generateSigner();
    const forgerPhone = await protocol.generateSigner();
    const forged = await protocol.issueCredential(
      { ...genuine, devicePublicKey: forgerPhone.publicKey },
      forgerKey,
    );
    const foreignKey = await scan(s, gate, {
      barcode: (await protocol.createPresentation(forged.bytes, forgerPhone, nowS(s))).text,
    });
    await expectRefused(gate, ticket, foreignKey, 'forged');

    // The same, claiming the organizer's key id: the organizer's key does not verify it.
    const body = encodeCredentialBody(
      { ...genuine, devicePublicKey: forgerPhone.publicKey },
      genuine.keyId,
    );
    const claimed = new Uint8Array([
      ...body,
      ...(await forgerKey.sign(credentialSigningInput(body))),
    ]);
    const borrowedId = await scan(s, gate, {
      barcode: (await protocol.createPresentation(claimed, forgerPhone, nowS(s))).text,
    });
    await expectRefused(gate, ticket, borrowedId, 'tampered');

    // Not a barcode at all.
    const garbage = await scan(s, gate, { barcode: 'NOT-A-TICKET' });
    expect(garbage.status).toBe(200);
    expect(garbage.body).toMatchObject({ admitted: false, reason: 'malformed' });

    // The genuine ticket is untouched by all this.
    const real = await scan(s, gate, { barcode: await barcode(ticket, buyer.signer, nowS(s)) });
    expect(real.body).toMatchObject({ admitted: true, reason: 'valid' });
  });

  it('retired key: a ticket signed by a key the organizer has retired is refused online', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const [first, ticket] = (await buySeats(setup, buyer, 2)) as [HeldTicket, HeldTicket];
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    const owner = setup.organizer.owner.token;
    const keysPath = `/v1/organizers/${setup.organizer.id}/keys`;
    const before = await s.request('GET', `/v1/organizers/${setup.organizer.id}`, {
      token: owner,
    });
    const [old] = before.body.keys as { id: string }[];
    // The server has checked a ticket of the old key, so its keyring is in memory.
    const early = await scan(s, gate, { barcode: await barcode(first, buyer.signer, nowS(s)) });
    expect(early.body.reason).toBe('valid');
    expect((await s.request('POST', keysPath, { token: owner })).status).toBe(201);
    const retired = await s.request('POST', `${keysPath}/${old?.id}/retire`, { token: owner });
    expect(retired.status, retired.raw).toBe(200);
    const refused = await scan(s, gate, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
    });
    await expectRefused(gate, ticket, refused, 'forged');
  });

  it('tampered: refuses a credential whose fields changed after the organizer signed it', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const [cheap] = (await buySeats(setup, buyer)) as [HeldTicket];
    const other = await s.createBuyer();
    const [target] = (await buySeats(setup, other)) as [HeldTicket];
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    const genuine = decodeCredential(fromBase64url(cheap.credential as string));

    // The holder's own phone signs the altered credential, so only the organizer's signature
    // can tell: another seat's ticket number, a later revision, a longer validity.
    const alterations = [
      { ticketId: target.number },
      { revision: genuine.revision + 1 },
      { validUntilS: genuine.validUntilS + 86_400 },
    ];
    for (const change of alterations) {
      const altered = encodeCredential({ ...genuine, ...change });
      const response = await scan(s, gate, {
        barcode: (await protocol.createPresentation(altered, buyer.signer, nowS(s))).text,
      });
      await expectRefused(gate, cheap, response, 'tampered');
    }
    expect(await admissionsOf(s, target.id)).toEqual([]);

    // A barcode altered in transit: its device signature no longer matches.
    const made = await protocol.createPresentation(
      fromBase64url(cheap.credential as string),
      buyer.signer,
      nowS(s),
    );
    const bytes = made.bytes.slice();
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    const flipped = await scan(s, gate, { barcode: presentationToText(bytes) });
    await expectRefused(gate, cheap, flipped, 'wrong_device');

    // Both genuine tickets still pass.
    for (const [ticket, holder] of [
      [cheap, buyer],
      [target, other],
    ] as const) {
      const response = await scan(s, gate, {
        barcode: await barcode(ticket, holder.signer, nowS(s)),
      });
      expect(response.body).toMatchObject({ admitted: true, reason: 'valid' });
    }
  });

  it('other event: refuses a ticket for another performance or event of the same organizer', async () => {
    const setup = await setupEvent(s, { performances: 2 });
    const buyer = await s.createBuyer();
    const [tomorrow] = (await buySeats(setup, buyer, 1, 1)) as [HeldTicket];
    // A second event of the same organizer at the same venue.
    const token = setup.organizer.owner.token;
    const start = setup.startsAt + 3_600_000;
    const event = await s.request('POST', `/v1/organizers/${setup.organizer.id}/events`, {
      token,
      body: {
        slug: `other-${Math.random().toString(36).slice(2, 8)}`,
        name: 'Other Show',
        venueId: setup.venueId,
        categories: [
          {
            name: 'Seated',
            pricing: 'crypto',
            priceAsset: 'USDT',
            price: '5',
            seating: 'seated',
            sections: ['A'],
            kind: 'single',
          },
        ],
        performances: [
          {
            startsAt: new Date(start).toISOString(),
            endsAt: new Date(start + 3 * 3_600_000).toISOString(),
            salesStart: new Date(s.clock.now() - 60_000).toISOString(),
          },
        ],
      },
    });
    expect(event.status, event.raw).toBe(201);
    expect((await s.request('POST', `/v1/events/${event.body.id}/publish`, { token })).status).toBe(
      200,
    );
    const otherShow: EventSetup = {
      ...setup,
      eventId: event.body.id,
      performanceIds: [event.body.performances[0].id],
      performanceCodes: [event.body.performances[0].code],
      startsAt: start,
      categories: { Seated: event.body.categories[0].id },
    };
    const [elsewhere] = (await buySeats(otherShow, buyer)) as [HeldTicket];

    // The terminal admits to today's performance of the first event only.
    const gate = await enrolTerminal(s, setup, {
      performanceIds: [setup.performanceIds[0] as string],
    });
    // Inside both tickets' windows, so only the event can be wrong.
    toDoors(s, start);
    for (const ticket of [tomorrow, elsewhere]) {
      const response = await scan(s, gate, {
        barcode: await barcode(ticket, buyer.signer, nowS(s)),
      });
      await expectRefused(gate, ticket, response, 'wrong_event');
    }
    // Their manual codes are refused too, as codes this gate does not know.
    for (const ticket of [tomorrow, elsewhere]) {
      const response = await scan(s, gate, {
        ticketNumber: ticket.manualCode?.ticketNumber as string,
        pin: ticket.manualCode?.pin as string,
      });
      await expectRefused(gate, ticket, response, 'wrong_code');
    }
    // An offline upload naming them is not counted as an admission at this gate.
    const uploaded = await upload(s, gate, [
      {
        nonce: 'n-other-event',
        performanceCode: otherShow.performanceCodes[0] as string,
        ticketId: elsewhere.number,
        revision: 1,
        direction: 'entry',
        scannedAt: new Date(s.clock.now()).toISOString(),
      },
    ]);
    expect(uploaded.status, uploaded.raw).toBe(200);
    expect(uploaded.body.results[0].recorded).not.toBe('new');
    expect(await admissionsOf(s, elsewhere.id)).toEqual([]);
  });

  it("other organizer: a terminal neither admits nor describes another organizer's ticket", async () => {
    const ours = await setupEvent(s);
    const theirs = await setupEvent(s);
    const buyer = await createNamedBuyer(s, 'Jisoo');
    const [ticket] = (await buySeats(theirs, buyer)) as [HeldTicket];
    const gate = await enrolTerminal(s, ours);
    toDoors(s, Math.max(ours.startsAt, theirs.startsAt));

    const scanned = await scan(s, gate, { barcode: await barcode(ticket, buyer.signer, nowS(s)) });
    await expectRefused(gate, ticket, scanned, 'forged');
    expect(scanned.body.ticket).toBeUndefined();
    expect(scanned.raw).not.toContain('Jisoo');
    const typed = await scan(s, gate, {
      ticketNumber: ticket.manualCode?.ticketNumber as string,
      pin: ticket.manualCode?.pin as string,
    });
    await expectRefused(gate, ticket, typed, 'wrong_code');
    expect(typed.raw).not.toContain('Jisoo');

    // Our staff cannot enrol a terminal for their performances or venue.
    const ownerToken = ours.organizer.owner.token;
    const theirPerformance = await s.request(
      'POST',
      `/v1/organizers/${ours.organizer.id}/enrolments`,
      {
        token: ownerToken,
        body: { venueId: ours.venueId, gate: 'X', performanceIds: theirs.performanceIds },
      },
    );
    expect(theirPerformance.status).toBe(400);
    const theirVenue = await s.request('POST', `/v1/organizers/${ours.organizer.id}/enrolments`, {
      token: ownerToken,
      body: { venueId: theirs.venueId, gate: 'X', performanceIds: ours.performanceIds },
    });
    expect(theirVenue.status).toBe(404);
    const atTheirs = await s.request('POST', `/v1/organizers/${theirs.organizer.id}/enrolments`, {
      token: ownerToken,
      body: { venueId: theirs.venueId, gate: 'X', performanceIds: theirs.performanceIds },
    });
    expect(atTheirs.status).toBe(404);
    // Nor list or revoke their terminals.
    const theirGate = await enrolTerminal(s, theirs);
    const list = await s.request('GET', `/v1/organizers/${theirs.organizer.id}/terminals`, {
      token: ownerToken,
    });
    expect(list.status).toBe(404);
    const revoke = await s.request(
      'DELETE',
      `/v1/organizers/${ours.organizer.id}/terminals/${theirGate.id}`,
      { token: ownerToken },
    );
    expect(revoke.status).toBe(404);
    // A terminal's credential opens no staff or buyer route.
    for (const [method, url] of [
      ['GET', `/v1/organizers/${ours.organizer.id}/terminals`],
      ['GET', '/v1/me/tickets'],
      ['GET', `/v1/performances/${ours.performanceIds[0]}/revocations`],
    ] as const) {
      const response = await s.request(method, url, { token: gate.token });
      expect([401, 403, 404], `${method} ${url}`).toContain(response.status);
    }
    // Their ticket still works at their gate.
    const home = await scan(s, theirGate, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
    });
    expect(home.body).toMatchObject({ admitted: true, reason: 'valid' });
  });

  it('copied to another phone: the credential without its device key is refused', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const [ticket] = (await buySeats(setup, buyer)) as [HeldTicket];
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);

    // The stored credential copied onto another phone, which signs barcodes with its own key.
    const credential = fromBase64url(ticket.credential as string);
    const otherPhone = await protocol.generateSigner();
    const timeS = nowS(s);
    const digest = createHash('sha256').update(credential).digest();
    const signature = await otherPhone.sign(presentationSigningInput(digest, timeS));
    const copied = presentationToText(encodePresentation(credential, timeS, signature));
    const response = await scan(s, gate, { barcode: copied });
    await expectRefused(gate, ticket, response, 'wrong_device');

    // The same copy on a phone registered to the thief's own account changes nothing.
    const thief = await s.createBuyer();
    const thiefSignature = await thief.signer.sign(presentationSigningInput(digest, timeS));
    const again = await scan(s, gate, {
      barcode: presentationToText(encodePresentation(credential, timeS, thiefSignature)),
    });
    await expectRefused(gate, ticket, again, 'wrong_device');

    const real = await scan(s, gate, { barcode: await barcode(ticket, buyer.signer, nowS(s)) });
    expect(real.body).toMatchObject({ admitted: true, reason: 'valid' });
  });

  it('replayed screenshot: an old barcode is stale, and an admitted one cannot be shown again', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const [ticket, friend] = (await buySeats(setup, buyer, 2)) as [HeldTicket, HeldTicket];
    const gate = await enrolTerminal(s, setup);
    const other = await enrolTerminal(s, setup, { gate: 'South' });
    toDoors(s, setup.startsAt);

    // A screenshot taken now and shown 45 s later (the barcode lives 15 s plus 15 s of skew).
    const screenshot = await barcode(ticket, buyer.signer, nowS(s));
    s.clock.advance(45_000);
    const late = await scan(s, gate, { barcode: screenshot });
    await expectRefused(gate, ticket, late, 'stale');
    // Nor can a barcode be made ahead of time for later.
    const ahead = await scan(s, gate, {
      barcode: await barcode(ticket, buyer.signer, nowS(s) + 120),
    });
    await expectRefused(gate, ticket, ahead, 'stale');

    // The live barcode passes; the same barcode passed on inside its lifetime does not.
    const live = await barcode(friend, buyer.signer, nowS(s));
    const admitted = await scan(s, gate, { barcode: live });
    expect(admitted.body).toMatchObject({ admitted: true, reason: 'valid' });
    s.clock.advance(5_000);
    const replayed = await scan(s, other, { barcode: live });
    expect(replayed.body).toMatchObject({
      admitted: false,
      reason: 'already_used',
      firstAdmission: { gate: 'North', terminalId: gate.id },
    });
    expect(await admissionsOf(s, friend.id)).toHaveLength(1);
  });

  it('old revision: a ticket transferred, reissued or refunded is refused at its old revision', async () => {
    const setup = await setupEvent(s);
    const seller = await s.createBuyer();
    const [sold, moved, refunded] = (await buySeats(setup, seller, 3)) as [
      HeldTicket,
      HeldTicket,
      HeldTicket,
    ];

    // Transferred: the recipient holds revision 2 on their phone.
    const recipient = await s.createBuyer();
    const offer = await s.request('POST', `/v1/tickets/${sold.id}/transfers`, {
      token: seller.token,
      body: { toPhone: recipient.phone },
    });
    expect(offer.status).toBe(201);
    const accepted = await s.request('POST', `/v1/transfers/${offer.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(accepted.status).toBe(200);
    const transferred = accepted.body as HeldTicket;

    // Reissued to the seller's new phone.
    const newPhone = await s.registerDevice(seller, 'new phone');
    await s.request('POST', '/v1/auth/codes', { body: { phone: seller.phone } });
    const reissued = await s.request('POST', `/v1/tickets/${moved.id}/reissue`, {
      token: seller.token,
      body: { deviceId: newPhone.deviceId, code: s.sms.lastCode(seller.phone) },
    });
    expect(reissued.status).toBe(200);

    // Refunded by the organizer.
    const refund = await s.request(
      'POST',
      `/v1/organizers/${setup.organizer.id}/tickets/${refunded.id}/refund`,
      { token: setup.organizer.owner.token },
    );
    expect(refund.status).toBe(200);

    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    for (const ticket of [sold, moved, refunded]) {
      const old = await scan(s, gate, { barcode: await barcode(ticket, seller.signer, nowS(s)) });
      await expectRefused(gate, ticket, old, 'revoked');
    }
    // The refunded ticket's manual code no longer admits either.
    const refundedCode = await scan(s, gate, {
      ticketNumber: refunded.manualCode?.ticketNumber as string,
      pin: refunded.manualCode?.pin as string,
    });
    expect(refundedCode.body.admitted).toBe(false);
    expect(await admissionsOf(s, refunded.id)).toEqual([]);

    // The current revisions pass, on the phones they are bound to.
    const theirs = await scan(s, gate, {
      barcode: await barcode(transferred, recipient.signer, nowS(s)),
    });
    expect(theirs.body).toMatchObject({ admitted: true, reason: 'valid' });
    const mine = await scan(s, gate, {
      barcode: await barcode(reissued.body, newPhone.signer, nowS(s)),
    });
    expect(mine.body).toMatchObject({ admitted: true, reason: 'valid' });
  });

  it('old revision: the manual code the old holder saw before a transfer no longer admits', async () => {
    const setup = await setupEvent(s);
    const seller = await s.createBuyer();
    const [sold] = (await buySeats(setup, seller)) as [HeldTicket];
    const recipient = await s.createBuyer();
    const offer = await s.request('POST', `/v1/tickets/${sold.id}/transfers`, {
      token: seller.token,
      body: { toPhone: recipient.phone },
    });
    const accepted = await s.request('POST', `/v1/transfers/${offer.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(accepted.status).toBe(200);
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);

    // The seller read the ticket number and PIN on their phone before giving the ticket away:
    // typed at the gate, they must not let the seller in ahead of the new holder.
    const sellersCode = await scan(s, gate, {
      ticketNumber: sold.manualCode?.ticketNumber as string,
      pin: sold.manualCode?.pin as string,
    });
    expect(sellersCode.body.admitted, 'the old holder’s manual code admitted').toBe(false);
    expect(await admissionsOf(s, sold.id)).toEqual([]);
    // The new holder's manual code differs and admits.
    const recipientsView = await s.request('GET', '/v1/me/tickets', { token: recipient.token });
    const held = recipientsView.body.tickets.find((t: { id: string }) => t.id === sold.id);
    expect(held.manualCode).not.toEqual(sold.manualCode);
    const theirs = await scan(s, gate, held.manualCode);
    expect(theirs.body).toMatchObject({ admitted: true, ticket: { id: sold.id } });
  });

  it('revoked or unenrolled terminal: refused at once; enrolment codes work once and expire', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const [first, second] = (await buySeats(setup, buyer, 2)) as [HeldTicket, HeldTicket];
    const owner = setup.organizer.owner.token;

    // Gate staff may enrol terminals; box office staff may not, nor a buyer.
    const gateStaff = await s.signIn();
    const boxOffice = await s.signIn();
    for (const [member, role] of [
      [gateStaff, 'gate'],
      [boxOffice, 'box_office'],
    ] as const) {
      const added = await s.request(
        'PUT',
        `/v1/organizers/${setup.organizer.id}/staff/${encodeURIComponent(member.phone)}`,
        { token: owner, body: { role } },
      );
      expect(added.status).toBeLessThan(300);
    }
    const body = { venueId: setup.venueId, gate: 'East', performanceIds: setup.performanceIds };
    const enrolments = `/v1/organizers/${setup.organizer.id}/enrolments`;
    expect((await s.request('POST', enrolments, { token: boxOffice.token, body })).status).toBe(
      403,
    );
    expect((await s.request('POST', enrolments, { token: buyer.token, body })).status).toBe(404);
    const code = await s.request('POST', enrolments, { token: gateStaff.token, body });
    expect(code.status).toBe(201);
    expect(code.body.qrSvg).toContain('<svg');
    const enrolled = await s.request('POST', '/v1/terminals/enrol', {
      body: { code: code.body.code, name: 'East 1' },
    });
    expect([200, 201]).toContain(enrolled.status);
    expect(enrolled.body.token).toMatch(/^tt_/);
    expect(enrolled.body.terminal).toMatchObject({ gate: 'East', name: 'East 1' });
    // The code works once.
    const reused = await s.request('POST', '/v1/terminals/enrol', {
      body: { code: code.body.code, name: 'East 2' },
    });
    expect(reused.status).toBe(404);
    // And expires: a day later an unused one is refused.
    const stale = await s.request('POST', enrolments, { token: owner, body });
    s.clock.advance(25 * 3_600_000);
    const expired = await s.request('POST', '/v1/terminals/enrol', {
      body: { code: stale.body.code, name: 'East 3' },
    });
    expect(expired.status).toBe(404);

    const terminal: Terminal = {
      token: enrolled.body.token,
      id: enrolled.body.terminal.id,
      gate: 'East',
      name: 'East 1',
    };
    toDoors(s, setup.startsAt);
    const admitted = await scan(s, terminal, {
      barcode: await barcode(first, buyer.signer, nowS(s)),
    });
    expect(admitted.body).toMatchObject({ admitted: true });

    // A stolen terminal is revoked by staff: its very next request is refused, everywhere.
    const revoked = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${terminal.id}`,
      { token: owner },
    );
    expect(revoked.status).toBe(200);
    const afterRevoke = await scan(s, terminal, {
      barcode: await barcode(second, buyer.signer, nowS(s)),
    });
    expect(afterRevoke.status).toBe(401);
    const uploadAfter = await upload(s, terminal, [
      {
        nonce: 'after-revoke',
        performanceCode: setup.performanceCodes[0] as string,
        ticketId: second.number,
        revision: 1,
        direction: 'entry',
        scannedAt: new Date(s.clock.now()).toISOString(),
      },
    ]);
    expect(uploadAfter.status).toBe(401);
    const feed = await s.request('GET', '/v1/terminal/feed', { token: terminal.token });
    expect(feed.status).toBe(401);
    expect(await admissionsOf(s, second.id)).toEqual([]);
    const listed = await s.request('GET', `/v1/organizers/${setup.organizer.id}/terminals`, {
      token: owner,
    });
    const row = listed.body.terminals.find((t: { id: string }) => t.id === terminal.id);
    expect(row.revokedAt).not.toBeNull();

    // Never enrolled: a made-up terminal credential, a buyer's session, no credential at all.
    const madeUp = `tt_${toBase64url(new Uint8Array(32).fill(7))}`;
    const liveBarcode = await barcode(second, buyer.signer, nowS(s));
    expect((await scan(s, { token: madeUp }, { barcode: liveBarcode })).status).toBe(401);
    expect((await scan(s, { token: buyer.token }, { barcode: liveBarcode })).status).toBe(403);
    const anonymous = await s.request('POST', '/v1/terminal/verifications', {
      body: { barcode: liveBarcode },
    });
    expect(anonymous.status).toBe(401);
    expect(await admissionsOf(s, second.id)).toEqual([]);
  });

  it('refusal order: what the credential itself refuses comes before what the ticket database refuses', async () => {
    // A barcode is refused for its own terms (its event, its window)
    // before the ticket database is asked (not on record, performance closed, ticket not valid,
    // an old revision), and those before its history (already used). A manual code carries no
    // terms of its own: the database answers first, then the terms and the history together.
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const seller = await s.createBuyer();
    const [kept, given, refunded] = (await buySeats(setup, seller, 3)) as [
      HeldTicket,
      HeldTicket,
      HeldTicket,
    ];
    // `given` is transferred (the seller keeps an old revision), `refunded` refunded.
    const recipient = await s.createBuyer();
    const offer = await s.request('POST', `/v1/tickets/${given.id}/transfers`, {
      token: seller.token,
      body: { toPhone: recipient.phone },
    });
    const accepted = await s.request('POST', `/v1/transfers/${offer.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(accepted.status, accepted.raw).toBe(200);
    const refund = await s.request(
      'POST',
      `/v1/organizers/${setup.organizer.id}/tickets/${refunded.id}/refund`,
      { token: setup.organizer.owner.token },
    );
    expect(refund.status, refund.raw).toBe(200);
    // A credential the organizer's key signed for a ticket number that is not on record.
    const issuer = await signerFor(s.ticketing, setup.organizer.id);
    const genuine = decodeCredential(fromBase64url(kept.credential as string));
    const ghost = {
      credential: toBase64url(
        (await protocol.issueCredential({ ...genuine, ticketId: 'GHOST-0001' }, issuer.signer))
          .bytes,
      ),
    };
    const gate = await enrolTerminal(s, setup);

    const scanned = async (ticket: { credential: string | null }, direction = 'entry') => {
      const response = await scan(s, gate, {
        barcode: await barcode(ticket, seller.signer, nowS(s)),
        direction: direction as 'entry' | 'exit',
      });
      expect(response.status, response.raw).toBe(200);
      return response.body;
    };
    const typed = async (ticket: HeldTicket) => {
      const response = await scan(s, gate, ticket.manualCode as { ticketNumber: string });
      expect(response.status, response.raw).toBe(200);
      return response.body;
    };
    /** The reason, and whether the answer describes the ticket (only once it was looked up). */
    const outcome = (body: { reason: string; detail: string; ticket?: unknown }) => [
      body.reason,
      body.ticket !== undefined,
    ];

    // A week before the doors: the window refuses every barcode first.
    for (const ticket of [kept, given, refunded, ghost]) {
      expect(outcome(await scanned(ticket))).toEqual(['not_yet_valid', false]);
    }
    expect(outcome(await scanned(kept, 'exit'))).toEqual(['not_yet_valid', false]);
    // A manual code is looked up first: a refunded ticket is revoked, a valid one not yet valid.
    expect(outcome(await typed(refunded))).toEqual(['revoked', true]);
    expect(outcome(await typed(kept))).toEqual(['not_yet_valid', true]);

    // At the doors: the database refuses what the credential does not.
    toDoors(s, setup.startsAt);
    expect(outcome(await scanned(given))).toEqual(['revoked', true]);
    expect(outcome(await scanned(refunded))).toEqual(['revoked', true]);
    const nowhere = await scanned(ghost);
    expect(nowhere).toMatchObject({ reason: 'revoked', detail: 'no such ticket is on record' });
    expect(nowhere.ticket).toBeUndefined();
    expect(outcome(await scanned(kept, 'exit'))).toEqual(['no_reentry', true]);
    expect((await scanned(kept)).reason).toBe('valid');
    expect(outcome(await scanned(kept))).toEqual(['already_used', true]);

    // Closed while the tickets' window is still open: closed comes before the history and the
    // ticket's status, but after the credential's own terms.
    s.clock.advance(setup.startsAt + 60_000 - s.clock.now());
    const closed = await s.request('POST', `/v1/performances/${performanceId}/close`, {
      token: setup.organizer.owner.token,
      body: {},
    });
    expect(closed.status, closed.raw).toBe(200);
    expect(outcome(await scanned(kept))).toEqual(['closed', true]);
    expect(outcome(await scanned(refunded))).toEqual(['closed', true]);
    expect(outcome(await scanned(given))).toEqual(['closed', true]);
    expect(outcome(await scanned(ghost))).toEqual(['revoked', false]);
    expect(outcome(await typed(kept))).toEqual(['closed', true]);

    // After the end: closed and past the window, a barcode is expired, a manual code closed.
    s.clock.advance(setup.startsAt + 4 * 3_600_000 - s.clock.now());
    for (const ticket of [kept, given, refunded, ghost]) {
      expect(outcome(await scanned(ticket))).toEqual(['expired', false]);
    }
    expect(outcome(await scanned(kept, 'exit'))).toEqual(['expired', false]);
    expect(outcome(await typed(kept))).toEqual(['closed', true]);
    expect(outcome(await typed(refunded))).toEqual(['closed', true]);
    // Each refusal is in the audit log, against the performance the barcode names.
    const logged = await decisionsOf(gate);
    expect(logged.filter((row) => row.admitted === 1)).toHaveLength(1);
    expect(logged.at(-3)).toMatchObject({ reason: 'expired', performance_id: performanceId });
  });

  it('manual-code guessing: wrong PINs are limited per ticket and per terminal', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const [typed, guessed, spare] = (await buySeats(setup, buyer, 3)) as [
      HeldTicket,
      HeldTicket,
      HeldTicket,
    ];
    const a = await enrolTerminal(s, setup, { gate: 'A' });
    const b = await enrolTerminal(s, setup, { gate: 'B' });
    const c = await enrolTerminal(s, setup, { gate: 'C' });
    toDoors(s, setup.startsAt);

    // The right number and PIN admit, however the number is spaced.
    const number = typed.manualCode?.ticketNumber as string;
    const right = await scan(s, a, {
      ticketNumber: `${number.slice(0, 3)}-${number.slice(3, 6)} ${number.slice(6)}`,
      pin: typed.manualCode?.pin as string,
    });
    expect(right.body).toMatchObject({ admitted: true, reason: 'valid', ticket: { id: typed.id } });
    // A typo the check digit catches is malformed, and not a guess.
    const typo = `${number.slice(0, 9)}${(Number(number[9]) + 1) % 10}`;
    const mistyped = await scan(s, a, { ticketNumber: typo, pin: '000000' });
    expect(mistyped.body).toMatchObject({ admitted: false, reason: 'malformed' });

    // Five wrong PINs for one ticket number (the server's limit per ticket an hour) ...
    const target = guessed.manualCode as { ticketNumber: string; pin: string };
    const wrongPin = (i: number) =>
      String((Number(target.pin) + 1 + i) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      const response = await scan(s, a, { ticketNumber: target.ticketNumber, pin: wrongPin(i) });
      expect(response.body, `guess ${i + 1}`).toMatchObject({
        admitted: false,
        reason: 'wrong_code',
      });
    }
    // ... and the ticket number is locked at every terminal, even for the right PIN.
    const locked = await scan(s, b, target);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_wrong_codes');
    expect(await admissionsOf(s, guessed.id)).toEqual([]);

    // Ten wrong codes from one terminal (its limit in ten minutes) lock that terminal out of
    // manual codes, whatever number it tries; other terminals carry on.
    for (let i = 0; i < 10; i++) {
      const guess = protocol.generateManualCode();
      const response = await scan(s, c, guess);
      expect(response.body, `sweep ${i + 1}`).toMatchObject({
        admitted: false,
        reason: 'wrong_code',
      });
    }
    const sweepLocked = await scan(s, c, spare.manualCode as { ticketNumber: string; pin: string });
    expect(sweepLocked.status).toBe(429);
    expect(await admissionsOf(s, spare.id)).toEqual([]);
    // The barcode still works at the locked terminal.
    const scanned = await scan(s, c, { barcode: await barcode(spare, buyer.signer, nowS(s)) });
    expect(scanned.body).toMatchObject({ admitted: true });

    // Every guess is in the audit log.
    const guesses = await s.database.db
      .selectFrom('gate_decisions')
      .select(['terminal_id', 'reason'])
      .where('terminal_id', 'in', [a.id, c.id])
      .where('input', '=', 'manual')
      .where('reason', '=', 'wrong_code')
      .execute();
    expect(guesses).toHaveLength(15);

    // An hour later the ticket may try again, and the right PIN admits.
    s.clock.advance(61 * 60_000);
    const later = await scan(s, b, target);
    expect(later.body).toMatchObject({ admitted: true, ticket: { id: guessed.id } });
  });
});
