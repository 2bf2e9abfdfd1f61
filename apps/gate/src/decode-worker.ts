/**
 * The camera's decoder (unit 410), in a Web Worker so that decoding never holds up the screen:
 * zxing-wasm's QR reader, its WebAssembly fetched from this app's own server
 * (`/zxing_reader.wasm`, served from node_modules by server/serve.ts), never from a CDN.
 *
 * In: `{id, frame}` with an ImageBitmap of one camera frame (transferred, not copied).
 * Out: `{id, text, receivedAt, decodeMs}`: the QR text or null; when the frame reached the
 * decoder (ms since the epoch, comparable with the page's clock) and how long decoding took.
 */
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

export interface DecodeRequest {
  id: number;
  frame: ImageBitmap;
}

export interface DecodeResult {
  id: number;
  text: string | null;
  receivedAt: number;
  decodeMs: number;
  error?: string;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeResult): void;
}

const scope = self as unknown as WorkerScope;
const ready = prepareZXingModule({
  overrides: {
    locateFile: (path: string, prefix: string) =>
      path.endsWith('.wasm')
        ? new URL('/zxing_reader.wasm', self.location.origin).href
        : prefix + path,
  },
  fireImmediately: true,
});

let canvas: OffscreenCanvas | undefined;
let context: OffscreenCanvasRenderingContext2D | null = null;

scope.onmessage = async (event) => {
  const receivedAt = performance.timeOrigin + performance.now();
  const { id, frame } = event.data;
  try {
    await ready;
    if (!canvas || canvas.width !== frame.width || canvas.height !== frame.height) {
      canvas = new OffscreenCanvas(frame.width, frame.height);
      context = canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!context) throw new Error('no 2D canvas in the worker');
    context.drawImage(frame, 0, 0);
    frame.close();
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const results = await readBarcodes(pixels, {
      formats: ['QRCode'],
      maxNumberOfSymbols: 1,
      // Speed over the last few hard reads: the next frame comes 1/10 s later anyway.
      tryHarder: false,
    });
    const found = results.find((result) => result.isValid);
    scope.postMessage({
      id,
      text: found ? found.text : null,
      receivedAt,
      decodeMs: performance.timeOrigin + performance.now() - receivedAt,
    });
  } catch (error) {
    frame.close();
    scope.postMessage({
      id,
      text: null,
      receivedAt,
      decodeMs: 0,
      error: error instanceof Error ? error.message : String(error),
    });
  }
};
