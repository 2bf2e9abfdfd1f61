/**
 * Reads a barcode back from a screenshot, as a gate's camera would: zxing-wasm's reader with its
 * WebAssembly loaded from node_modules (never from a CDN), on the PNG bytes Playwright gives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

let prepared: Promise<unknown> | undefined;

function prepare() {
  if (!prepared) {
    const path = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const file = readFileSync(path);
    const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
    prepared = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  }
  return prepared;
}

/** The text of the one QR code in the image; throws if there is none, or more than one. */
export async function readQrText(png: Uint8Array): Promise<string> {
  await prepare();
  const results = (await readBarcodes(png, { formats: ['QRCode'], maxNumberOfSymbols: 2 })).filter(
    (result) => result.isValid,
  );
  if (results.length !== 1) {
    const saved = join(tmpdir(), `tessera-unreadable-${Date.now()}.png`);
    writeFileSync(saved, png);
    throw new Error(
      `expected one QR code in the screenshot, read ${results.length} (saved as ${saved})`,
    );
  }
  return (results[0] as { text: string }).text;
}
