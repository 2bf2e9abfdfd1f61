/**
 * The live barcode (unit 312, claim 10): the stored credential, the phone's current time and a
 * fresh signature by the device key, as the protocol's presentation (docs/protocol.md, section
 * 5), drawn as a QR code in its base45 text form. It is made on the device, with no network,
 * and made again every `presentationRotationS` (15 s), so a screenshot or a recording of it goes
 * stale at the gate (30 s at most, `presentationMaxAgeS`).
 */
import {
  type Ed25519Signer,
  fromBase64url,
  presentationRotationS,
  protocol,
} from '@tessera/protocol/web';
import QRCode from 'qrcode';

/** Error correction M, as the protocol's size budget assumes (QR version 10 for a typical ticket). */
const errorCorrectionLevel = 'M';
/** The blank margin a QR code needs around it to be found, in modules (ISO/IEC 18004). */
const quietZoneModules = 4;

/** The performance entries the benchmark and the tests read. */
export const barcodeRefreshMeasure = 'tessera:barcode-refresh';
export const ticketVisibleMark = 'tessera:ticket-visible';

export interface DrawnBarcode {
  text: string;
  timeS: number;
  /** The QR version chosen (1..40), for the size budget. */
  version: number;
}

/** How often the barcode is made again (the protocol's rotation, 15 s). */
export const rotationMs = presentationRotationS * 1000;

/**
 * Makes the presentation for `timeS` and draws it on the canvas, `sizeCssPx` wide, black on white
 * with the quiet zone, sharp at the screen's pixel ratio. The whole refresh is measured as
 * `tessera:barcode-refresh` in the page's performance timeline.
 */
export async function drawBarcode(
  canvas: HTMLCanvasElement,
  credential: string,
  signer: Ed25519Signer,
  timeS: number,
  sizeCssPx: number,
): Promise<DrawnBarcode> {
  const start = performance.now();
  const made = await protocol.createPresentation(
    fromBase64url(credential, 'credential'),
    signer,
    timeS,
  );
  const qr = QRCode.create(made.text, { errorCorrectionLevel });
  const modules = qr.modules.size;
  const total = modules + 2 * quietZoneModules;
  const ratio = Math.max(1, Math.min(window.devicePixelRatio || 1, 3));
  // Whole device pixels per module, so every module has the same width and no edge blurs.
  const scale = Math.max(1, Math.floor((sizeCssPx * ratio) / total));
  const side = total * scale;
  if (canvas.width !== side) {
    canvas.width = side;
    canvas.height = side;
  }
  canvas.style.width = `${side / ratio}px`;
  canvas.style.height = `${side / ratio}px`;
  const context = canvas.getContext('2d', { alpha: false });
  if (!context) throw new Error('this browser cannot draw the barcode (no 2D canvas)');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, side, side);
  context.fillStyle = '#000000';
  const data = qr.modules.data;
  for (let row = 0; row < modules; row += 1) {
    for (let column = 0; column < modules; column += 1) {
      if (data[row * modules + column]) {
        context.fillRect(
          (column + quietZoneModules) * scale,
          (row + quietZoneModules) * scale,
          scale,
          scale,
        );
      }
    }
  }
  performance.measure(barcodeRefreshMeasure, { start, end: performance.now() });
  return { text: made.text, timeS, version: qr.version };
}
