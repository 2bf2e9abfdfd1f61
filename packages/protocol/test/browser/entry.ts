/**
 * Bundled by `../browser.test.ts` with esbuild and run in headless Chromium, so the protocol is
 * exercised with the browser's own WebCrypto. It only exposes a function on `window`; the Node
 * side calls it and checks the results.
 */
import { fromHex, protocol, toHex } from '../../src/browser.ts';
import { vectors } from '../load-vectors.ts';
import { fieldsFromJson, runVectors, type VectorReport } from '../vector-runner.ts';

export interface DeviceRoundTrip {
  /** The presentation's QR text, signed in the page by a freshly generated device key. */
  presentationText: string;
  organizerPublicKey: string;
  devicePublicKey: string;
  eventId: string;
}

export interface BrowserResults {
  report: VectorReport;
  roundTrip: DeviceRoundTrip;
}

export type RunProtocolChecks = (timeS: number) => Promise<BrowserResults>;

async function deviceRoundTrip(timeS: number): Promise<DeviceRoundTrip> {
  const organizerKey = vectors.keys.organizers.find((key) => key.name === 'organizer-a');
  if (organizerKey === undefined) throw new Error('keys.json has no organizer-a');
  const template = vectors.credentials.valid.find((v) => v.name === 'single-seat');
  if (template === undefined) throw new Error('credentials.json has no single-seat credential');

  const organizer = await protocol.signerFromSeed(fromHex(organizerKey.seed));
  // Non-extractable by default: the private half lives only inside WebCrypto.
  const device = await protocol.generateSigner();
  const fields = {
    ...fieldsFromJson(template.fields),
    validFromS: timeS - 3600,
    validUntilS: timeS + 3600,
    devicePublicKey: device.publicKey,
  };
  const issued = await protocol.issueCredential(fields, organizer);
  const presentation = await protocol.createPresentation(issued.bytes, device, timeS);
  return {
    presentationText: presentation.text,
    organizerPublicKey: toHex(organizer.publicKey),
    devicePublicKey: toHex(device.publicKey),
    eventId: fields.eventId,
  };
}

const runProtocolChecks: RunProtocolChecks = async (timeS) => ({
  report: await runVectors(protocol, vectors),
  roundTrip: await deviceRoundTrip(timeS),
});

(window as unknown as { runProtocolChecks: RunProtocolChecks }).runProtocolChecks =
  runProtocolChecks;
