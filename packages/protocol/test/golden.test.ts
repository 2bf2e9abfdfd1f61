import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { createProtocol, nodeBackend, presentationTextCharsMax, webBackend } from '../src/node.ts';
import { vectors } from './load-vectors.ts';
import { runVectors } from './vector-runner.ts';

describe('golden vectors', () => {
  for (const backend of [nodeBackend, webBackend]) {
    it(`are reproduced byte for byte and decision for decision with the ${backend.name} backend`, async () => {
      const report = await runVectors(createProtocol(backend), vectors);
      expect(report.failures).toEqual([]);
      // A runner that silently skipped a section would pass with few checks.
      expect(report.checks).toBeGreaterThan(150);
    });
  }

  it('cover every rejection reason', async () => {
    const { rejectionReasons } = await import('../src/verify.ts');
    const covered = new Set([
      ...vectors.decisions.map((v) => v.expected.reason),
      ...vectors.manualCodes.decisions.map((v) => v.expected.reason),
    ]);
    for (const reason of rejectionReasons) expect(covered, reason).toContain(reason);
  });

  it('fit a typical ticket in QR version 10 at error correction M', () => {
    for (const v of vectors.presentations.valid) {
      expect(QRCode.create(v.text, { errorCorrectionLevel: 'M' }).version, v.name).toBe(
        v.qrVersionM,
      );
    }
    const typical = vectors.presentations.valid.find((v) => v.name === 'single-seat');
    expect(typical?.qrVersionM).toBeLessThanOrEqual(10);
  });

  it('include the largest presentation the format allows', () => {
    const largest = vectors.presentations.valid.find((v) => v.name === 'largest-fields');
    expect(largest?.text.length).toBe(presentationTextCharsMax);
  });
});
