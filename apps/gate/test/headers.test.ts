/**
 * What the gate app tells the server of itself (issue 20 item 1): the device described from
 * userAgentData or the User-Agent, the fix in the header's format (which the server's own parser
 * accepts), and every call of the API client, over a real socket, carrying the headers as they
 * are when it is made. The browser test (app.test.ts) checks the server stored them.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseAppVersion,
  parseDevice,
  parsePosition,
} from '../../../services/ticketing/src/terminals/details.ts';
import { gateApi } from '../src/api.ts';
import {
  appVersion,
  deviceDescription,
  type Fix,
  positionHeader,
  terminalHeaders,
} from '../src/terminal-headers.ts';

const userAgents = {
  androidChrome:
    'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  samsung:
    'Mozilla/5.0 (Linux; Android 13; SM-G991N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  windowsEdge:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
};

describe('the device description', () => {
  it('comes from userAgentData where the browser has it, skipping the filler brands', () => {
    expect(
      deviceDescription({
        userAgent: userAgents.androidChrome,
        userAgentData: {
          platform: 'Android',
          mobile: true,
          brands: [
            { brand: 'Not_A Brand', version: '24' },
            { brand: 'Chromium', version: '131' },
            { brand: 'Google Chrome', version: '131' },
          ],
        },
      }),
    ).toBe('Android mobile Google Chrome 131');
  });

  it('comes from the User-Agent otherwise: platform and browser', () => {
    expect(deviceDescription({ userAgent: userAgents.androidChrome })).toBe(
      'Android 14 Chrome 131',
    );
    expect(deviceDescription({ userAgent: userAgents.iphoneSafari })).toBe('iOS 17.5 Safari 17.5');
    expect(deviceDescription({ userAgent: userAgents.samsung })).toBe(
      'Android 13 Samsung Internet 25',
    );
    expect(deviceDescription({ userAgent: userAgents.windowsEdge })).toBe('Windows Edge 131');
    expect(deviceDescription({ userAgent: userAgents.firefox })).toBe('Linux Firefox 133');
  });

  it('is printable ASCII of at most 120 characters, which the server takes', () => {
    const odd = deviceDescription({ userAgent: `Gerät ☃\t${'x'.repeat(300)}` });
    expect(odd.length).toBeLessThanOrEqual(120);
    expect(odd).toMatch(/^[\x20-\x7E]+$/);
    expect(parseDevice(odd)).toBe(odd);
    expect(deviceDescription({})).toBe('unknown');
    for (const userAgent of Object.values(userAgents)) {
      const described = deviceDescription({ userAgent });
      expect(parseDevice(described)).toBe(described);
    }
  });
});

describe('the position header', () => {
  it('carries the fix in a form the server parses back', () => {
    const now = Date.UTC(2026, 11, 7, 12);
    const fix: Fix = {
      latitude: 37.478612345678,
      longitude: 127.01151234,
      accuracyM: 12.3456,
      at: now - 5_000.4,
    };
    const header = positionHeader(fix);
    expect(header).toBe(`37.4786123,127.0115123,12.3,${now - 5_000}`);
    expect(parsePosition(header, now)).toEqual({
      latitude: 37.4786123,
      longitude: 127.0115123,
      accuracyM: 12.3,
      at: now - 5_000,
    });
    // South and west, and an accuracy beyond what the server takes, are still accepted.
    const far = positionHeader({ latitude: -33.8, longitude: -70.6, accuracyM: 250_000, at: now });
    expect(parsePosition(far, now)).toMatchObject({ latitude: -33.8, accuracyM: 100_000 });
  });

  it('goes with the version and device, and only once there is a fix', () => {
    expect(terminalHeaders('Linux Chrome 131', null)).toEqual({
      'tessera-app-version': appVersion,
      'tessera-device': 'Linux Chrome 131',
    });
    expect(parseAppVersion(appVersion)).toBe(appVersion);
  });
});

describe('every call of the API client', () => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    response.writeHead(503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'busy', message: 'test' } }));
  });
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('carries the headers as they are when it is made', async () => {
    let fix: Fix | null = null;
    const api = gateApi(baseUrl, 'tt_token', () => terminalHeaders('Android 14 Chrome 131', fix));
    await api.eventPackage(undefined, 0).catch(() => undefined);
    fix = { latitude: 37.4786, longitude: 127.0115, accuracyM: 8, at: 1_765_000_000_000 };
    await api.upload([], 0).catch(() => undefined);
    await api.enrol('ABCDE-FGHJK-MNPQR', 'North 1').catch(() => undefined);

    expect(seen.map((request) => request.url.split('?')[0])).toEqual([
      '/v1/terminal/package',
      '/v1/terminal/admissions',
      '/v1/terminals/enrol',
    ]);
    for (const { headers } of seen) {
      expect(headers['tessera-app-version']).toBe(appVersion);
      expect(headers['tessera-device']).toBe('Android 14 Chrome 131');
    }
    expect(seen[0]?.headers['tessera-position']).toBeUndefined();
    expect(seen[0]?.headers.authorization).toBe('Bearer tt_token');
    for (const { headers } of seen.slice(1)) {
      expect(headers['tessera-position']).toBe('37.4786000,127.0115000,8,1765000000000');
    }
  });
});
