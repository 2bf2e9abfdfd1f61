/**
 * A fake camera feed for Chromium (`--use-file-for-fake-video-capture=<file>.y4m`): QR codes
 * drawn black on white into raw YUV 4:2:0 frames (the luma plane carries the picture, the chroma
 * planes are neutral grey), the way a phone's screen looks to the gate's rear camera. Each code is
 * held for `framesPerCode` frames; Chromium loops the file.
 */
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

export interface FeedOptions {
  width?: number;
  height?: number;
  framesPerSecond?: number;
  /** Frames each code is held for: one number for all, or one per code. */
  framesPerCode?: number | readonly number[];
}

/**
 * One frame's luma plane with the QR code of `text` centred, quiet zone included; an empty text
 * is a blank frame (nothing in view).
 */
export function qrLuma(text: string, width: number, height: number): Uint8Array {
  if (text === '') return new Uint8Array(width * height).fill(235);
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const quiet = 4;
  const module = Math.floor(Math.min(width, height) / (size + 2 * quiet));
  if (module < 2) throw new Error(`a ${size}-module code does not fit ${width}x${height}`);
  const luma = new Uint8Array(width * height).fill(235);
  const left = Math.floor((width - size * module) / 2);
  const top = Math.floor((height - size * module) / 2);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      if (!qr.modules.get(row, column)) continue;
      for (let y = 0; y < module; y++) {
        const offset = (top + row * module + y) * width + left + column * module;
        luma.fill(16, offset, offset + module);
      }
    }
  }
  return luma;
}

export function writeQrFeed(path: string, texts: readonly string[], options: FeedOptions = {}) {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const frames = options.framesPerCode ?? 5;
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const header = Buffer.from(
    `YUV4MPEG2 W${width} H${height} F${options.framesPerSecond ?? 15}:1 Ip A1:1 C420jpeg\n`,
  );
  const parts: Uint8Array[] = [header];
  for (const [index, text] of texts.entries()) {
    const luma = qrLuma(text, width, height);
    const count = typeof frames === 'number' ? frames : (frames[index] ?? 1);
    for (let frame = 0; frame < count; frame++) {
      parts.push(Buffer.from('FRAME\n'), luma, chroma);
    }
  }
  writeFileSync(path, Buffer.concat(parts));
}
