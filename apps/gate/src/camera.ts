/**
 * Continuous camera scanning (unit 410): the rear camera by default, each frame handed to the
 * decode worker as an ImageBitmap, one frame in flight at a time, so the decoder always works on
 * the newest frame and the rate is what the decoder can do (a 640x480 frame takes a few ms, far
 * above the 10 frames a second a gate needs).
 */
import type { DecodeRequest, DecodeResult } from './decode-worker.ts';
import type { MessageKey } from './i18n.ts';

/** No more frames than this per second: a camera gives 30, and the battery matters. */
const framesPerSecondMax = 30;
/** The frames-per-second figure is over this window. */
const rateWindowMs = 2_000;
const recentDecodesMax = 200;

export interface CameraRead {
  text: string;
  /** When the frame reached the decoder, ms since the epoch. */
  frameAt: number;
}

export interface CameraStats {
  framesPerSecond: number;
  decodeMs: number[];
}

/**
 * One decoder for the app's lifetime, started with the app: the WebAssembly is fetched and
 * compiled once, while the network is there, so the camera still reads after the network goes
 * (and starts at once when a screen turns it on again).
 */
let decoder: Worker | undefined;

export function startDecoder(): Worker {
  decoder ??= new Worker(new URL('./decode-worker.ts', import.meta.url), { type: 'module' });
  return decoder;
}

/**
 * Why the camera did not start, in words for the person at the gate rather than the browser's own
 * ("Requested device not found"): getUserMedia's DOMException names. Anything else: undefined,
 * and the screen shows the browser's message inside a general sentence.
 */
export function cameraErrorKey(error: unknown): MessageKey | undefined {
  const name =
    error instanceof DOMException || error instanceof Error
      ? error.name
      : typeof error === 'object' && error !== null && 'name' in error
        ? String(error.name)
        : undefined;
  switch (name) {
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'scan.cameraNone';
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'scan.cameraDenied';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'scan.cameraBusy';
    default:
      return typeof navigator !== 'undefined' && !navigator.mediaDevices?.getUserMedia
        ? 'scan.cameraUnsupported'
        : undefined;
  }
}

export class CameraScanner {
  private worker: Worker | undefined;
  private stream: MediaStream | undefined;
  private running = false;
  /** Bumped by every stop, so that a start still opening the camera knows it was called off. */
  private generation = 0;
  private nextId = 1;
  private readonly frameTimes: number[] = [];
  readonly stats: CameraStats = { framesPerSecond: 0, decodeMs: [] };

  constructor(private readonly onRead: (read: CameraRead) => void) {}

  /** Opens the camera into `video` and starts reading; rejects if there is no camera. */
  async start(video: HTMLVideoElement): Promise<void> {
    this.stop();
    const generation = this.generation;
    const stream = await navigator.mediaDevices.getUserMedia({
      video: {
        facingMode: { ideal: 'environment' },
        width: { ideal: 640 },
        height: { ideal: 480 },
      },
      audio: false,
    });
    // Stopped while the camera was opening (the screen was left, or the button pressed again):
    // close what just opened rather than read on with nobody left to stop it.
    if (generation !== this.generation) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.stream = stream;
    video.srcObject = stream;
    video.muted = true;
    video.playsInline = true;
    await video.play();
    if (generation !== this.generation) return;
    this.worker = startDecoder();
    this.running = true;
    void this.loop(video, this.worker);
  }

  stop() {
    this.generation += 1;
    this.running = false;
    this.worker = undefined;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
  }

  private decode(worker: Worker, frame: ImageBitmap): Promise<DecodeResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const listen = (event: MessageEvent<DecodeResult>) => {
        if (event.data.id !== id) return;
        worker.removeEventListener('message', listen);
        resolve(event.data);
      };
      worker.addEventListener('message', listen);
      worker.postMessage({ id, frame } satisfies DecodeRequest, [frame]);
    });
  }

  private async loop(video: HTMLVideoElement, worker: Worker) {
    const minGapMs = 1000 / framesPerSecondMax;
    while (this.running && this.worker === worker) {
      const started = performance.now();
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        const frame = await createImageBitmap(video);
        const result = await this.decode(worker, frame);
        if (!this.running || this.worker !== worker) return;
        this.count(result);
        if (result.text) this.onRead({ text: result.text, frameAt: result.receivedAt });
      }
      const wait = minGapMs - (performance.now() - started);
      await new Promise((wake) => setTimeout(wake, Math.max(0, wait)));
    }
  }

  private count(result: DecodeResult) {
    const now = performance.now();
    this.frameTimes.push(now);
    while ((this.frameTimes[0] as number) < now - rateWindowMs) this.frameTimes.shift();
    this.stats.framesPerSecond = (this.frameTimes.length * 1000) / rateWindowMs;
    if (result.error === undefined) {
      this.stats.decodeMs.push(result.decodeMs);
      if (this.stats.decodeMs.length > recentDecodesMax) this.stats.decodeMs.shift();
    }
  }
}
