/**
 * Chromium for the gate's tests and benchmark: the project's flags (scripts/test/chromium.ts)
 * plus a fake camera that plays a .y4m file, with the camera and the position allowed, and a
 * fresh profile removed on close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath, requireChromium } from '../../../scripts/test/chromium.ts';

/** The demo concert hall (services/ticketing/src/demo.ts), where the test gates stand. */
export const hallPosition = { latitude: 37.4786, longitude: 127.0115, accuracy: 8 };
/** A tablet on its side, as a gate terminal is held. */
export const tabletViewport = { width: 800, height: 600 };

export async function launchGateBrowser(cameraFeed: string, origin: string) {
  requireChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'tessera-gate-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        ...chromiumArgs,
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${cameraFeed}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
      viewport: tabletViewport,
      geolocation: hallPosition,
      permissions: [],
    });
    await context.grantPermissions(['camera', 'geolocation'], { origin });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async open(url: string): Promise<Page> {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (error) => console.error(`[gate] ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.text().includes('Content Security Policy')) {
          console.error(`[gate console] ${message.text()}`);
        }
      });
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
