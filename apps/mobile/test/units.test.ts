/**
 * The app's parts that need no browser: exact money arithmetic, phone numbers, the device
 * registration proof (the same bytes as the ticketing server checks), the two languages, the
 * app's server (paths, headers, configuration) and the service worker's list of files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ApiError } from '@tessera/web-kit/http';
import { displayPhone, normalizePhone } from '@tessera/web-kit/phone';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../scripts/free-port.ts';
import { deviceRegistrationMessage as serverMessage } from '../../../services/ticketing/src/identity/devices.ts';
import { ensureMobileBuild } from '../server/build.ts';
import { type MobileServer, mobileDistDir, startMobileServer } from '../server/serve.ts';
import { describeError } from '../src/errors.ts';
import { en } from '../src/i18n/en.ts';
import { isMessageKey, type MessageKey, type Params, translate } from '../src/i18n.ts';
import { deviceRegistrationMessage } from '../src/identity.ts';
import { compare, divide, formatDecimal, fromUnits, subtract, toUnits } from '../src/money.ts';
import { refundClosesAt, refundOpen } from '../src/refunds.ts';
import { type FeedSource, followWalletFeed } from '../src/wallet-feed-source.ts';

describe('refunds', () => {
  const startsAt = '2026-12-20T10:00:00.000Z';
  const start = Date.parse(startsAt);
  it("offers a refund only under the event's until_start policy, before its cut-off", () => {
    const dayBefore = { refundPolicy: 'until_start', refundCutoffS: 86_400 };
    expect(refundOpen(dayBefore, startsAt, start - 86_400_000 - 1)).toBe(true);
    expect(refundOpen(dayBefore, startsAt, start - 86_400_000)).toBe(false);
    expect(refundClosesAt(dayBefore, startsAt)).toBe('2026-12-19T10:00:00.000Z');
    const untilStart = { refundPolicy: 'until_start', refundCutoffS: 0 };
    expect(refundOpen(untilStart, startsAt, start - 1)).toBe(true);
    expect(refundOpen(untilStart, startsAt, start)).toBe(false);
    expect(refundOpen({ refundPolicy: 'none', refundCutoffS: 0 }, startsAt, 0)).toBe(false);
  });
});

describe('money', () => {
  it('converts decimal strings to units and back without floating point', () => {
    expect(toUnits('32.30438', 6)).toBe(32_304_380n);
    expect(toUnits('0.000001', 6)).toBe(1n);
    expect(toUnits('-5', 2)).toBe(-500n);
    expect(toUnits('1.0000001', 6)).toBeUndefined();
    expect(toUnits('1e3', 0)).toBeUndefined();
    expect(toUnits('', 0)).toBeUndefined();
    expect(fromUnits(32_304_380n, 6)).toBe('32.30438');
    expect(fromUnits(5n, 8)).toBe('0.00000005');
    expect(fromUnits(-1_500n, 3)).toBe('-1.5');
    expect(fromUnits(1_000_000n, 0)).toBe('1000000');
  });

  it('compares, subtracts and divides exactly, at the larger scale', () => {
    expect(compare('55', '54.999999')).toBe(1);
    expect(compare('0.1', '0.10')).toBe(0);
    expect(compare('9007199254740993', '9007199254740992')).toBe(1);
    expect(subtract('55', '5.000001')).toBe('49.999999');
    expect(subtract('0.3', '0.1')).toBe('0.2');
    expect(divide('45000', '32.30438', 2)).toBe('1392.99'); // 1392.9958…, rounded down
    expect(divide('1', '0', 2)).toBeUndefined();
  });

  it('groups digits for the locale and never rounds', () => {
    expect(formatDecimal('1000000', 'en-US')).toBe('1,000,000');
    expect(formatDecimal('1234567.000001', 'ko-KR')).toBe('1,234,567.000001');
    expect(formatDecimal('-0.5', 'en-US')).toBe('-0.5');
    expect(formatDecimal('12345678901234567890', 'en-US')).toBe('12,345,678,901,234,567,890');
  });
});

describe('phone numbers', () => {
  it('turns what people type into E.164', () => {
    expect(normalizePhone('010-1234-5678')).toBe('+821012345678');
    expect(normalizePhone('+82 10 1234 5678')).toBe('+821012345678');
    expect(normalizePhone('(010) 1234.5678')).toBe('+821012345678');
    expect(normalizePhone('+14155550123')).toBe('+14155550123');
  });

  it('shows a Korean number as people write it, any other as E.164', () => {
    expect(displayPhone('+821012345678')).toBe('010-1234-5678');
    expect(displayPhone('+821000000001')).toBe('010-0000-0001');
    expect(displayPhone('+82212345678')).toBe('02-1234-5678');
    expect(displayPhone('+8221234567')).toBe('02-123-4567');
    expect(displayPhone('+82311234567')).toBe('031-123-4567');
    expect(displayPhone('+14155550123')).toBe('+14155550123');
    // What it shows, the app takes back as the same number.
    expect(normalizePhone(displayPhone('+821012345678'))).toBe('+821012345678');
  });

  it('refuses what cannot be a number', () => {
    for (const input of ['', 'abc', '+0123456789', '12', '+8210123456789012345', '010-1234-567x']) {
      expect(normalizePhone(input), input).toBeUndefined();
    }
  });
});

describe('the device registration proof', () => {
  it('signs exactly the bytes the ticketing server checks', () => {
    const key = new Uint8Array(32).map((_, index) => index * 7);
    const app = deviceRegistrationMessage('usr_abc123', key);
    expect(Buffer.from(app).toString('hex')).toBe(
      Buffer.from(serverMessage('usr_abc123', key)).toString('hex'),
    );
    expect(Buffer.from(app.subarray(0, 31)).toString()).toBe(
      'tessera/device-registration/v1\u0000',
    );
  });
});

describe('languages', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('has every message in Korean with the same placeholders as in English', () => {
    const keys = Object.keys(en).filter(isMessageKey);
    expect(keys.length).toBeGreaterThan(200);
    for (const key of keys) {
      const english = translate('en', key);
      const korean = translate('ko', key);
      expect(korean, key).not.toBe('');
      expect(placeholders(korean), key).toEqual(placeholders(english));
    }
  });

  it('shows the wait a 429 names (Retry-After, also in details.retryAfterS)', () => {
    const en = (key: MessageKey, params?: Params) => translate('en', key, params);
    const ko = (key: MessageKey, params?: Params) => translate('ko', key, params);
    const limited = (seconds: number) =>
      new ApiError(429, 'rate_limited', 'wait', { retryAfterS: seconds });
    expect(describeError(limited(30), en)).toBe('Too many tries. Wait 30 seconds and try again.');
    expect(describeError(limited(240), en)).toBe('Too many tries. Wait 4 minutes and try again.');
    expect(describeError(limited(5 * 3600), ko)).toBe(
      '시도가 너무 많습니다. 5시간 뒤에 다시 시도하세요.',
    );
    // A 429 without a wait keeps its own message.
    expect(describeError(new ApiError(429, 'rate_limited', 'wait'), en)).toBe(
      'Too many tries. Wait a minute and try again.',
    );
  });

  it("says in the buyer's words what the servers' hardening codes mean, never 'something went wrong'", () => {
    for (const lang of ['en', 'ko'] as const) {
      const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
      const unexpected = t('error.unexpected', { message: 'm' });
      for (const [status, code] of [
        [503, 'database_unavailable'],
        [503, 'storage_full'],
        [503, 'exchange_unavailable'],
        [400, 'invalid_text'],
        [409, 'hold_limit'],
      ] as const) {
        const text = describeError(new ApiError(status, code, 'm'), t);
        expect(text, `${lang} ${code}`).not.toBe(unexpected);
        expect(text, `${lang} ${code}`).toBe(t(`error.${code}`));
      }
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'perf.left', { count: 3 })).toBe('3 left');
    expect(translate('ko', 'perf.left', { count: 3 })).toBe('3석 남음');
    expect(translate('en', 'perf.left')).toBe('{count} left');
  });
});

describe("the app's server", () => {
  let server: MobileServer;
  const app = {
    ticketingUrl: 'http://127.0.0.1:4200',
    exchangeUrl: 'http://127.0.0.1:4100',
    development: false,
  };

  beforeAll(async () => {
    await ensureMobileBuild();
    server = await startMobileServer({ host: '127.0.0.1', port: await freePort(), app });
  }, 120_000);

  afterAll(() => server?.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers });

  /** A request with the path exactly as given (fetch would normalise `..`) and the raw body. */
  const raw = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const { hostname, port } = new URL(server.url);
        const request = httpRequest({ hostname, port, path, method, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
        });
        request.on('error', reject);
        request.end();
      },
    );

  it('answers every app path with the app, so deep links and the buy page return work', async () => {
    for (const path of ['/', '/orders/ord_abc', '/tickets/tkt_x', '/nowhere/at/all']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('tells the app where the servers are, and lets the page reach only them', async () => {
    const config = await get('/config.json');
    expect(await config.json()).toEqual(app);
    const policy = config.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("connect-src 'self' http://127.0.0.1:4200 http://127.0.0.1:4100");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(config.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('caches hashed bundles for a year, gzips them, and revalidates the worker', async () => {
    const index = await (await get('/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1] as string;
    const bundle = await fetch(`${server.url}${script}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const worker = await get('/sw.js');
    expect(worker.status).toBe(200);
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    const zipped = await raw(script, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).toString()).toBe(
      readFileSync(join(mobileDistDir, script)).toString(),
    );
  });

  it('refuses what is not the app: missing files, paths out of dist/, dot files, writes', async () => {
    expect((await raw('/assets/missing-abc.js')).status).toBe(404);
    expect((await raw('/package.json')).status).toBe(404);
    for (const path of [
      '/../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/%2e%2e/server/serve.ts',
    ]) {
      const answer = await raw(path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.toString(), path).toBe('bad path');
    }
    expect((await raw('/.build-inputs')).status).toBe(400);
    expect((await raw('/%E0%A4%A')).status).toBe(400);
    expect((await raw('/', {}, 'POST')).status).toBe(405);
  });
});

describe('the service worker', () => {
  it('stores every file of the build, so the app starts offline', async () => {
    await ensureMobileBuild();
    const worker = readFileSync(join(mobileDistDir, 'sw.js'), 'utf8');
    const files = readdirSync(mobileDistDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `/${relative(mobileDistDir, join(entry.parentPath, entry.name))}`)
      .filter((path) => path !== '/sw.js' && path !== '/.build-inputs');
    expect(files).toContain('/index.html');
    expect(files).toContain('/manifest.webmanifest');
    for (const file of files) expect(worker, file).toContain(`"${file}"`);
  });

  it('is named by an installable manifest with the icons Chromium asks for', () => {
    const manifest = JSON.parse(readFileSync(join(mobileDistDir, 'manifest.webmanifest'), 'utf8'));
    expect(manifest).toMatchObject({ display: 'standalone', start_url: '/', scope: '/' });
    const sizes = (manifest.icons as { sizes: string; type: string }[]).map(
      (icon) => `${icon.sizes} ${icon.type}`,
    );
    expect(sizes).toContain('192x192 image/png');
    expect(sizes).toContain('512x512 image/png');
    for (const icon of manifest.icons as { src: string }[]) {
      expect(readdirSync(mobileDistDir)).toContain(icon.src.slice(1));
    }
  });
});

describe("the wallet's live feed", () => {
  /** A stand-in EventSource: the test delivers its events and sees what it was opened with. */
  class FakeSource implements FeedSource {
    readyState = 0;
    onerror: ((event: Event) => void) | null = null;
    onopen: ((event: Event) => void) | null = null;
    closed = false;
    private readonly listeners = new Map<string, ((message: MessageEvent<string>) => void)[]>();
    constructor(readonly url: string) {}
    addEventListener(type: string, listener: (message: MessageEvent<string>) => void) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    close() {
      this.closed = true;
    }
    emit(type: string, id: string, data: unknown) {
      const message = { lastEventId: id, data: JSON.stringify(data) } as MessageEvent<string>;
      for (const listener of this.listeners.get(type) ?? []) listener(message);
    }
    opened() {
      this.readyState = 1;
      this.onopen?.(new Event('open'));
    }
  }

  function follow() {
    const sources: FakeSource[] = [];
    const notices: string[] = [];
    let resets = 0;
    const stop = followWalletFeed({
      streamUrl: async () =>
        `https://exchange.test/v1/notifications/stream?ticket=t${sources.length}`,
      open: (url) => {
        const source = new FakeSource(url);
        sources.push(source);
        return source;
      },
      onNotice: (notice) => notices.push(notice.id),
      onReset: () => {
        resets += 1;
      },
      onFailure: (error) => {
        throw error;
      },
    });
    return { sources, notices, resets: () => resets, stop };
  }
  const notice = (id: string) => ({ id, type: 'transfer.received', createdAt: '', data: {} });

  it('on a reset, forgets the resume point and the ids seen, reopens live and reloads once open', async () => {
    const feed = follow();
    await expect.poll(() => feed.sources.length).toBe(1);
    const first = feed.sources[0] as FakeSource;
    first.opened();
    first.emit('transfer.received', '7', notice('ntf_a'));
    first.emit('transfer.received', '7', notice('ntf_a'));
    expect(feed.notices).toEqual(['ntf_a']);

    // What follows a reset is everything retained: not new notices, a reason to reload.
    first.emit('reset', '', { reason: 'unknown_last_event_id' });
    expect(first.closed).toBe(true);
    await expect.poll(() => feed.sources.length).toBe(2);
    const second = feed.sources[1] as FakeSource;
    expect(new URL(second.url).searchParams.has('after')).toBe(false);
    expect(feed.resets()).toBe(0);
    second.opened();
    expect(feed.resets()).toBe(1);
    // The ids seen before the reset are forgotten: a number reused after a restore still shows.
    second.emit('transfer.received', '1', notice('ntf_a'));
    expect(feed.notices).toEqual(['ntf_a', 'ntf_a']);
    feed.stop();
    expect(second.closed).toBe(true);
  });

  it('resumes after the last event seen when the browser gives up on a reconnect', async () => {
    vi.useFakeTimers();
    try {
      const feed = follow();
      await vi.waitFor(() => expect(feed.sources).toHaveLength(1));
      const first = feed.sources[0] as FakeSource;
      first.opened();
      first.emit('transfer.received', '41', notice('ntf_b'));
      first.readyState = 2;
      first.onerror?.(new Event('error'));
      await vi.advanceTimersByTimeAsync(3_000);
      expect(feed.sources).toHaveLength(2);
      expect(new URL((feed.sources[1] as FakeSource).url).searchParams.get('after')).toBe('41');
      expect(feed.resets()).toBe(0);
      feed.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
