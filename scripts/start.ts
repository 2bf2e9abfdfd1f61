/**
 * `npm start`: runs the system on this machine with the embedded SQLite database (files under
 * `data/`), or PostgreSQL when DATABASE_URL is set (the ticketing tables then go in their own
 * schema): the exchange server and the ticketing server, with demo data and a demo rate feed,
 * the buyer's mobile app on port 4300 (MOBILE_PORT), the gate terminal app on port 4400
 * (GATE_PORT) and the organizer console on port 4500 (CONSOLE_PORT), each built first when its
 * build is missing or stale, both servers allowing their origins (CORS), and a fresh enrolment
 * code for a demo gate terminal.
 * `--smoke` starts everything on free ports, checks it answers, and exits (used by the tests).
 * `--reset` deletes the SQLite databases under the data directory first: fresh demo data.
 *
 * The console keeps the banner (URLs, demo accounts, the gate's enrolment code) in view: the
 * servers' JSON log lines, one per request, go to `data/server.log`, and only errors are echoed
 * here, one line each. With LOG_LEVEL set they go to the console at that level, as a server run
 * on its own logs.
 *
 * Every start makes sure the demo concert has a performance whose doors are open (tonight's, added
 * when none is), and the printed enrolment code covers it: the README's tour reaches ADMIT.
 *
 * It runs in development, asked for by name: the servers default to production (secrets
 * required, no development feature), and this script is the demo, with its SMS inboxes, card
 * sandbox and well-known demo accounts. `NODE_ENV=test` is allowed; `NODE_ENV=production` is
 * refused (production runs each server on its own: docs/operations.md).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ensureConsoleBuild } from '../apps/console/server/build.ts';
import { startConsoleServer } from '../apps/console/server/serve.ts';
import { tilesFromEnvironment } from '../apps/console/server/served.ts';
import { ensureGateBuild } from '../apps/gate/server/build.ts';
import { startGateServer } from '../apps/gate/server/serve.ts';
import { ensureMobileBuild } from '../apps/mobile/server/build.ts';
import { startMobileServer } from '../apps/mobile/server/serve.ts';
import { publishedSecrets } from '../packages/service-kit/src/config.ts';
import { createApiKey } from '../services/exchange/src/accounts/auth.ts';
import { ConfigError, loadConfig } from '../services/exchange/src/config.ts';
import { demoAccounts, demoBuyerBalances, seedDemo } from '../services/exchange/src/demo.ts';
import { startExchange } from '../services/exchange/src/server.ts';
import { loadConfig as loadTicketingConfig } from '../services/ticketing/src/config.ts';
import { demoTimeZone } from '../services/ticketing/src/demo/events.ts';
import {
  demoEnrolmentCode,
  ensureDoorsOpenPerformance,
  seedDemo as seedTicketingDemo,
} from '../services/ticketing/src/demo.ts';
import { startTicketing } from '../services/ticketing/src/server.ts';
import { freePort } from './free-port.ts';
import { lanAddress, lanCertificate, startTlsProxy, type TlsProxy, terminalQr } from './lan.ts';
import { serverLog } from './server-log.ts';

const nodeEnv = process.env.NODE_ENV || 'development';
if (nodeEnv === 'production') {
  console.error(
    'npm start runs the demo system (development) and refuses NODE_ENV=production: in production run each server on its own (docs/operations.md)',
  );
  process.exit(2);
}
const smoke = process.argv.includes('--smoke');
// `--lan`: phones on this network reach everything over HTTPS at this machine's address.
const lanHost = process.argv.includes('--lan') ? lanAddress() : undefined;
if (process.argv.includes('--lan') && !lanHost) {
  console.error('--lan: this machine has no network address other than loopback');
  process.exit(2);
}
/** Where browsers reach a server listening on loopback at `port`: its TLS proxy with --lan. */
const browserUrl = (loopbackUrl: string) => {
  if (!lanHost) return loopbackUrl;
  return `https://${lanHost}:${new URL(loopbackUrl).port}`;
};
const dataDir = process.env.TESSERA_DATA_DIR ?? 'data';
mkdirSync(dataDir, { recursive: true });

// `--reset`: the demo data starts over (the databases are made again, with fresh demo data).
if (process.argv.includes('--reset')) {
  if (process.env.DATABASE_URL) {
    console.error(
      '--reset deletes the SQLite files under data/; with DATABASE_URL, drop the tables',
    );
    process.exit(2);
  }
  for (const name of readdirSync(dataDir)) {
    if (/^(exchange|ticketing)\.db(-wal|-shm|-journal)?$/.test(name)) rmSync(join(dataDir, name));
  }
  console.log(`--reset: deleted the databases in ${dataDir}/; the demo data is made afresh`);
}

// The servers' JSON logs (a line per request) would scroll the banner away: they go to a file,
// and only errors come to the console, one short line each. LOG_LEVEL set: the console, as before.
const logToConsole = process.env.LOG_LEVEL !== undefined;
const logFile = join(dataDir, 'server.log');
const logs = logToConsole ? undefined : serverLog(logFile, (line) => console.error(line));
const logTo = (server: string) => (logs ? { logStream: logs.streamFor(server) } : {});

// A demo rate feed: rewrites the rates file every 30 s so quotes see fresh rates. In production
// EXCHANGE_RATES_FILE is written by a real feed, or EXCHANGE_RATE_SOURCE=ticker reads one.
const ratesFile = process.env.EXCHANGE_RATES_FILE ?? join(dataDir, 'rates.json');
const demoRates = { BTC: '95000000', ETH: '4500000', USDT: '1400' };
const writeRates = () =>
  writeFileSync(
    ratesFile,
    `${JSON.stringify({ source: 'demo feed (npm start)', observedAt: new Date().toISOString(), fiat: 'KRW', rates: demoRates }, null, 2)}\n`,
  );
if (!process.env.EXCHANGE_RATES_FILE) writeRates();
const rateFeed = process.env.EXCHANGE_RATES_FILE ? undefined : setInterval(writeRates, 30_000);

// The three apps: built if their builds are missing or stale, then each served on its own port.
// Both servers allow the buyer's app's origin (it calls them from the browser), the ticketing
// server the gate app's too, and the ticketing server sends the exchange's buy page back to the
// buyer's app (TICKETING_MOBILE_APP_URL).
try {
  await ensureMobileBuild({ log: (line) => console.log(line) });
  await ensureGateBuild({ log: (line) => console.log(line) });
  await ensureConsoleBuild({ log: (line) => console.log(line) });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const mobileHost = process.env.MOBILE_HOST ?? '127.0.0.1';
const mobilePort = smoke ? await freePort(mobileHost) : Number(process.env.MOBILE_PORT ?? 4300);
if (!Number.isInteger(mobilePort) || mobilePort < 0 || mobilePort > 65_535) {
  console.error(`MOBILE_PORT must be a port number (0 to 65535), not ${process.env.MOBILE_PORT}`);
  process.exit(2);
}
const mobileAppUrl =
  process.env.TICKETING_MOBILE_APP_URL ?? browserUrl(`http://${mobileHost}:${mobilePort}`);
const mobileOrigin = new URL(mobileAppUrl).origin;
const gateHost = process.env.GATE_HOST ?? mobileHost;
const gatePort = smoke ? await freePort(gateHost) : Number(process.env.GATE_PORT ?? 4400);
if (!Number.isInteger(gatePort) || gatePort < 0 || gatePort > 65_535) {
  console.error(`GATE_PORT must be a port number (0 to 65535), not ${process.env.GATE_PORT}`);
  process.exit(2);
}
const gateOrigin = browserUrl(`http://${gateHost}:${gatePort}`);
const consoleHost = process.env.CONSOLE_HOST ?? mobileHost;
const consolePort = smoke ? await freePort(consoleHost) : Number(process.env.CONSOLE_PORT ?? 4500);
if (!Number.isInteger(consolePort) || consolePort < 0 || consolePort > 65_535) {
  console.error(`CONSOLE_PORT must be a port number (0 to 65535), not ${process.env.CONSOLE_PORT}`);
  process.exit(2);
}
const consoleOrigin = browserUrl(`http://${consoleHost}:${consolePort}`);
let consoleTiles: ReturnType<typeof tilesFromEnvironment>;
try {
  consoleTiles = tilesFromEnvironment(process.env);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
// With --lan the apps are also reachable on loopback (this machine's own browser).
const appOrigins = [
  mobileOrigin,
  gateOrigin,
  consoleOrigin,
  ...(lanHost
    ? [
        `http://${mobileHost}:${mobilePort}`,
        `http://${gateHost}:${gatePort}`,
        `http://${consoleHost}:${consolePort}`,
      ]
    : []),
].join(',');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({
    EXCHANGE_SQLITE_PATH: join(dataDir, 'exchange.db'),
    EXCHANGE_RATES_FILE: ratesFile,
    EXCHANGE_CORS_ORIGINS: appOrigins,
    ...process.env,
    NODE_ENV: nodeEnv,
    ...(smoke ? { EXCHANGE_PORT: '0' } : {}),
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(2);
}

// Browsers reach the exchange (its buy page, its live stream) through its proxy with --lan.
if (lanHost) config = { ...config, publicUrl: browserUrl(config.publicUrl) };
const exchange = await startExchange(config, logTo('exchange'));
const seeded = await seedDemo(exchange.exchange);
const port = (exchange.app.server.address() as AddressInfo).port;
const base = `http://${config.host}:${port}`;

// The ticketing server calls the exchange at `base`; the exchange's webhooks come back to it.
let ticketingConfig: ReturnType<typeof loadTicketingConfig>;
try {
  const ticketingPort = smoke ? String(await freePort()) : (process.env.TICKETING_PORT ?? '4200');
  ticketingConfig = loadTicketingConfig({
    TICKETING_SQLITE_PATH: join(dataDir, 'ticketing.db'),
    TICKETING_CORS_ORIGINS: appOrigins,
    TICKETING_MOBILE_APP_URL: mobileAppUrl,
    ...(lanHost ? { TICKETING_EXCHANGE_PUBLIC_URL: browserUrl(base) } : {}),
    ...process.env,
    NODE_ENV: nodeEnv,
    TICKETING_PORT: ticketingPort,
    TICKETING_EXCHANGE_URL: base,
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  await exchange.close();
  process.exit(2);
}
const ticketing = await startTicketing(ticketingConfig, logTo('ticketing'));
const ticketingBase = ticketingConfig.publicUrl;
const merchant = await exchange.exchange.database.db
  .selectFrom('subscribers')
  .select('id')
  .where('phone', '=', demoAccounts.organizer.phone)
  .where('kind', '=', 'merchant')
  .executeTakeFirst();
let demo: Awaited<ReturnType<typeof seedTicketingDemo>>;
if (merchant) {
  const organizerCount = await ticketing.ticketing.database.db
    .selectFrom('organizers')
    .select('id')
    .limit(1)
    .execute();
  if (organizerCount.length === 0) {
    // A key for the demo organizer's link; shown nowhere, kept sealed by the ticketing server.
    const { key } = await createApiKey(exchange.exchange, merchant.id, 'ticketing demo');
    demo = await seedTicketingDemo(
      ticketing.ticketing,
      { phone: demoAccounts.organizer.phone, name: demoAccounts.organizer.name },
      key,
    );
  }
}

// The demo concert's performance with open doors (tonight's; added when none is open), so a
// ticket bought now is admitted at the gate now; the enrolment code below covers it.
const doorsOpen = await ensureDoorsOpenPerformance(
  ticketing.ticketing,
  demoAccounts.organizer.phone,
);
const buyerBalances = await demoBuyerBalances(exchange.exchange);

// A gate terminal enrols with a one-time code that expires in a day, so each start makes one.
const enrolmentCode = await demoEnrolmentCode(ticketing.ticketing, demoAccounts.organizer.phone);

// The apps reach the servers at their public addresses (the exchange's, when it listens on a
// port picked at start, is the one it got).
const started: { close(): Promise<void> }[] = [];
/** Starts one app's server; a port in use or another failure stops everything started so far. */
async function serveApp<T extends { close(): Promise<void> }>(
  name: string,
  port: number,
  portVariable: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    const app = await start();
    started.push(app);
    return app;
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    console.error(
      inUse
        ? `port ${port} is in use: stop what holds it or set ${portVariable}`
        : `the ${name} could not start: ${error instanceof Error ? error.message : error}`,
    );
    for (const app of started.reverse()) await app.close();
    if (rateFeed) clearInterval(rateFeed);
    await ticketing.close();
    await exchange.close();
    process.exit(1);
  }
}
const development = config.environment !== 'production';
const mobile = await serveApp('mobile app', mobilePort, 'MOBILE_PORT', () =>
  startMobileServer({
    host: mobileHost,
    port: mobilePort,
    app: {
      ticketingUrl: browserUrl(ticketingBase),
      exchangeUrl: process.env.EXCHANGE_PUBLIC_URL ?? browserUrl(base),
      development,
    },
  }),
);
const gate = await serveApp('gate app', gatePort, 'GATE_PORT', () =>
  startGateServer({
    host: gateHost,
    port: gatePort,
    app: { ticketingUrl: browserUrl(ticketingBase), development },
  }),
);
const consoleApp = await serveApp('console', consolePort, 'CONSOLE_PORT', () =>
  startConsoleServer({
    host: consoleHost,
    port: consolePort,
    app: {
      ticketingUrl: browserUrl(ticketingBase),
      exchangeUrl: process.env.EXCHANGE_PUBLIC_URL ?? browserUrl(base),
      mobileAppUrl,
      development,
      tiles: consoleTiles,
    },
  }),
);

// --lan: a TLS proxy on this machine's address in front of each server, on the same port.
const proxies: TlsProxy[] = [];
if (lanHost) {
  const certificate = lanCertificate(dataDir, lanHost);
  for (const loopback of [mobile.url, gate.url, consoleApp.url, ticketingBase, base]) {
    proxies.push(
      await startTlsProxy({
        host: lanHost,
        port: Number(new URL(loopback).port),
        target: loopback,
        certificate,
      }),
    );
  }
}

const lines = [
  '',
  'Tessera is running.',
  '',
  ...(lanHost
    ? [
        `  On this network (HTTPS, self-signed: accept the warning once per address):`,
        `  Mobile app        ${mobileAppUrl}`,
        `  Gate app          ${gateOrigin}`,
        `  Console           ${consoleOrigin}`,
        `  Ticketing API     ${browserUrl(ticketingBase)}`,
        `  Exchange API      ${browserUrl(base)}`,
        '',
      ]
    : []),
  `  Mobile app        ${mobileAppUrl}   (the buyer's app; served from ${mobile.url})`,
  `  Gate app          ${gate.url}   (the gate terminal)`,
  `  Console           ${consoleApp.url}   (organizers: sign in with the demo organizer's number)`,
  `  Ticketing API     ${ticketingBase}   (${ticketing.ticketing.database.description})`,
  `  Ticketing docs    ${ticketingBase}/docs`,
  `  Exchange API      ${base}   (${exchange.exchange.database.description})`,
  `  Exchange docs     ${base}/docs`,
  `  Hosted buy page   ${base}/buy`,
  ...(config.devEndpoints
    ? [
        `  SMS inbox (dev)   ${base}/dev/sms?phone=<E.164 number>   (exchange codes)`,
        `                    ${ticketingBase}/dev/sms?phone=<E.164 number>   (ticketing codes)`,
      ]
    : []),
  '',
  // What the wallet holds now: after a restart the demo's starting balance may be spent.
  `  Demo buyer        ${demoAccounts.buyer.phone} (person; ${seeded ? '' : 'created earlier, now '}${buyerBalances ?? 'no wallet'})`,
  `  Demo organizer    ${demoAccounts.organizer.phone} (merchant at the exchange; owner of "${demoAccounts.organizer.name}" at the ticketing server${demo ? `, with ${demo.events.map((event) => event.name).join(' and ')} on sale` : ''})`,
  ...(enrolmentCode
    ? [
        `  Gate enrolment    ${enrolmentCode.code}   (type it in the gate app: gate ${enrolmentCode.gate} of ${enrolmentCode.eventName}; one use, 24 hours)`,
      ]
    : []),
  ...(doorsOpen
    ? [
        `  Doors open now    Winter Concert, the performance of ${timeOfDay(doorsOpen.startsAt)}: buy a seat, the gate admits it`,
      ]
    : []),
  "  Sign in: open the mobile app with the demo buyer's number; the codes are in the SMS inboxes.",
  '  (API: POST /v1/auth/codes {phone}, read the code in the SMS inbox, POST /v1/auth/sessions.)',
  ...(config.environment === 'production'
    ? []
    : [
        `  Operator tokens   exchange ${shownToken('EXCHANGE_OPERATOR_TOKEN', config.operatorToken)}`,
        `                    ticketing ${shownToken('TICKETING_OPERATOR_TOKEN', ticketingConfig.operatorToken)}`,
      ]),
  '',
  '  Organizer command line: npm run organizer -w @tessera/ticketing -- --help',
  logs
    ? `  Server logs       ${logFile}   (a line per request; LOG_LEVEL=info shows them here)`
    : `  Server logs       this console (LOG_LEVEL=${process.env.LOG_LEVEL})`,
  `  Start over        npm start -- --reset   (deletes the demo databases in ${dataDir}/)`,
  '  Ctrl-C stops everything.',
  '',
];
/** A day and time as this machine (and a browser on it) shows them: "7 Dec, 19:00". */
/** A demo performance's time as the venue's clock reads it, with its zone: "8 Dec, 04:00 GMT+9". */
function timeOfDay(at: number) {
  return new Date(at).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: demoTimeZone,
    timeZoneName: 'short',
  });
}
/**
 * An operator token for the banner: the published development default is shown (it is in the
 * code anyway, docs/operations.md), a token the developer set is only named.
 */
function shownToken(variable: string, token: string) {
  return publishedSecrets.includes(token)
    ? `${token}   (the development default; set ${variable} for another)`
    : `from ${variable}`;
}

console.log(lines.join('\n'));
if (lanHost) console.log(`Open the mobile app on a phone:\n${await terminalQr(mobileAppUrl)}`);

async function stop(code: number) {
  if (rateFeed) clearInterval(rateFeed);
  for (const proxy of proxies) await proxy.close();
  for (const app of started.reverse()) await app.close();
  await ticketing.close();
  await exchange.close();
  await logs?.close();
  process.exit(code);
}

if (smoke) {
  const checks = await Promise.all([
    fetch(`${base}/ready`),
    fetch(`${base}/docs/json`),
    fetch(`${base}/v1/assets`),
    fetch(`${ticketingBase}/ready`),
    fetch(`${ticketingBase}/docs/json`),
    fetch(`${ticketingBase}/v1/events`),
  ]);
  const events = (await checks[5]?.clone().json()) as { events?: unknown[] } | undefined;
  // The app: its page, its configuration naming these servers, its service worker and
  // manifest; and a call from its origin that the ticketing server allows (CORS).
  const app = await Promise.all([
    fetch(`${mobile.url}/`),
    fetch(`${mobile.url}/config.json`),
    fetch(`${mobile.url}/sw.js`),
    fetch(`${mobile.url}/manifest.webmanifest`),
    fetch(`${ticketingBase}/v1/events`, { headers: { origin: mobileOrigin } }),
  ]);
  // The gate app: its page, its configuration, the decoder it loads, and the ticketing server
  // allowing its origin.
  const gateApp = await Promise.all([
    fetch(`${gate.url}/`),
    fetch(`${gate.url}/config.json`),
    fetch(`${gate.url}/zxing_reader.wasm`),
    fetch(`${ticketingBase}/v1/events`, { headers: { origin: gateOrigin } }),
  ]);
  // The console: its page, its configuration, and both servers allowing its origin.
  const consoleChecks = await Promise.all([
    fetch(`${consoleApp.url}/`),
    fetch(`${consoleApp.url}/config.json`),
    fetch(`${ticketingBase}/v1/events`, { headers: { origin: consoleOrigin } }),
    fetch(`${base}/v1/assets`, { headers: { origin: consoleOrigin } }),
  ]);
  const consoleOk =
    consoleChecks.every((response) => response.ok) &&
    consoleChecks[2]?.headers.get('access-control-allow-origin') === consoleOrigin &&
    consoleChecks[3]?.headers.get('access-control-allow-origin') === consoleOrigin;
  const gateConfig = (await gateApp[1]?.clone().json()) as { ticketingUrl?: string } | undefined;
  const gateOk =
    gateApp.every((response) => response.ok) &&
    gateConfig?.ticketingUrl === ticketingBase &&
    gateApp[2]?.headers.get('content-type') === 'application/wasm' &&
    gateApp[3]?.headers.get('access-control-allow-origin') === gateOrigin &&
    enrolmentCode !== undefined;
  const page = await app[0]?.clone().text();
  const appConfig = (await app[1]?.clone().json()) as { ticketingUrl?: string } | undefined;
  const appOk =
    app.every((response) => response.ok) &&
    (page?.includes('<div id="root">') ?? false) &&
    appConfig?.ticketingUrl === ticketingBase &&
    app[4]?.headers.get('access-control-allow-origin') === mobileOrigin;
  const ok =
    checks.every((response) => response.ok) &&
    (events?.events?.length ?? 0) === 2 &&
    appOk &&
    gateOk &&
    consoleOk;
  console.log(
    ok
      ? 'smoke check: ok'
      : `smoke check failed: ${[...checks, ...app, ...gateApp, ...consoleChecks].map((r) => r.status).join(', ')}${appOk ? '' : ' (mobile app)'}${gateOk ? '' : ' (gate app)'}${consoleOk ? '' : ' (console)'}`,
  );
  await stop(ok ? 0 : 1);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping`);
    void stop(0);
  });
}
