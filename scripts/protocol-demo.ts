/**
 * `npm run demo`: the ticket protocol end to end in the terminal. An organizer issues a ticket
 * bound to a phone's device key, the phone shows its rotating barcode, and an offline gate checks
 * each one, together with the copies and replays it must refuse. `--once` shows one rotation and
 * exits.
 */
import QRCode from 'qrcode';
import {
  type Decision,
  encodePresentation,
  formatTicketNumber,
  presentationRotationS,
  presentationSigningInput,
  presentationToText,
  protocol,
} from '../packages/protocol/src/node.ts';

const once = process.argv.includes('--once');
const nowS = () => Math.floor(Date.now() / 1000);

const organizer = await protocol.generateSigner();
const phone = await protocol.generateSigner();
const otherPhone = await protocol.generateSigner();
const issuerSecret = protocol.backend.randomBytes(32);
const start = nowS();
const terms = {
  eventId: 'DEMO-1',
  ticketId: 'A-12-07',
  kind: 'single' as const,
  reentryAllowed: false,
  entriesAllowed: 1,
  validFromS: start - 3_600,
  validUntilS: start + 6 * 3_600,
  storedValue: 0n,
  revision: 0,
};
const { bytes: credential } = await protocol.issueCredential(
  {
    ...terms,
    devicePublicKey: phone.publicKey,
    phoneTag: await protocol.phoneTag(issuerSecret, '+821012345678'),
    reserved: new Uint8Array(),
  },
  organizer,
);
const keyring = await protocol.prepareKeyring([{ publicKey: organizer.publicKey }]);
const manualCode = protocol.generateManualCode();
const manualRecord = await protocol.createManualCodeRecord(terms, manualCode);

const describe = (decision: Decision) =>
  decision.admitted ? 'ADMIT (valid)' : `REFUSE (${decision.reason}: ${decision.detail})`;

async function rotation(): Promise<void> {
  const timeS = nowS();
  const live = await protocol.createPresentation(credential, phone, timeS);
  const context = { keyring, eventIds: ['DEMO-1'], nowS: timeS };

  // The copy a second phone would make: same ticket, its own key, so the device signature fails.
  const digest = await protocol.backend.sha256(credential);
  const copied = presentationToText(
    encodePresentation(
      credential,
      timeS,
      await otherPhone.sign(presentationSigningInput(digest, timeS)),
    ),
  );

  console.log(
    await QRCode.toString(live.text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }),
  );
  console.log(
    `Ticket ${terms.eventId} seat ${terms.ticketId}, barcode of ${new Date(timeS * 1000).toISOString()}`,
  );
  console.log(
    `  ${live.text.length} characters, QR version ${QRCode.create(live.text, { errorCorrectionLevel: 'M' }).version}-M`,
  );
  console.log(
    `  manual code: ticket number ${formatTicketNumber(manualCode.ticketNumber)}, PIN ${manualCode.pin}`,
  );
  console.log('Offline gate says:');
  console.log(
    `  the live barcode ............ ${describe(await protocol.verifyPresentation(live.text, context))}`,
  );
  console.log(
    `  a copy on another phone ..... ${describe(await protocol.verifyPresentation(copied, context))}`,
  );
  const later = await protocol.verifyPresentation(live.text, { ...context, nowS: timeS + 60 });
  console.log(`  a screenshot 60 s later ..... ${describe(later)}`);
  const manual = await protocol.verifyManualCode(manualCode, {
    ...context,
    lookup: (number) => (number === manualRecord.ticketNumber ? manualRecord : undefined),
  });
  console.log(`  the manual code ............. ${describe(manual)}`);
}

console.log(
  'Tessera protocol demo. The servers and apps arrive with issues 3 to 8 (see README.md).\n',
);
await rotation();
if (!once) {
  console.log(`\nA new barcode every ${presentationRotationS} s; Ctrl-C stops.`);
  const timer = setInterval(() => {
    rotation().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
      clearInterval(timer);
    });
  }, presentationRotationS * 1000);
  process.once('SIGINT', () => {
    clearInterval(timer);
    console.log('\nStopped.');
  });
}
