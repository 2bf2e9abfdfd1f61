/**
 * `npm start`: runs the system on this machine with the embedded SQLite database (files under
 * `data/`), or PostgreSQL when DATABASE_URL is set (the ticketing tables then go in their own
 * schema). Today that is the exchange server and the ticketing server, with demo data and a demo
 * rate feed; the two apps join as their issues land.
 * `--smoke` starts everything on free ports, checks it answers, and exits (used by the tests).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApiKey } from '../services/exchange/src/auth.ts';
import { ConfigError, loadConfig } from '../services/exchange/src/config.ts';
import { demoAccounts, seedDemo } from '../services/exchange/src/demo.ts';
import { startExchange } from '../services/exchange/src/server.ts';
import { loadConfig as loadTicketingConfig } from '../services/ticketing/src/config.ts';
import { seedDemo as seedTicketingDemo } from '../services/ticketing/src/demo.ts';
import { startTicketing } from '../services/ticketing/src/server.ts';
import { freePort } from './free-port.ts';

const smoke = process.argv.includes('--smoke');
const dataDir = process.env.TESSERA_DATA_DIR ?? 'data';
mkdirSync(dataDir, { recursive: true });

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

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({
    EXCHANGE_SQLITE_PATH: join(dataDir, 'exchange.db'),
    EXCHANGE_RATES_FILE: ratesFile,
    ...process.env,
    ...(smoke ? { EXCHANGE_PORT: '0', LOG_LEVEL: 'warn' } : {}),
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(2);
}

const exchange = await startExchange(config);
const seeded = await seedDemo(exchange.exchange);
const port = (exchange.app.server.address() as AddressInfo).port;
const base = `http://${config.host}:${port}`;

// The ticketing server calls the exchange at `base`; the exchange's webhooks come back to it.
let ticketingConfig: ReturnType<typeof loadTicketingConfig>;
try {
  const ticketingPort = smoke ? String(await freePort()) : (process.env.TICKETING_PORT ?? '4200');
  ticketingConfig = loadTicketingConfig({
    TICKETING_SQLITE_PATH: join(dataDir, 'ticketing.db'),
    ...process.env,
    TICKETING_PORT: ticketingPort,
    TICKETING_EXCHANGE_URL: base,
    ...(smoke ? { LOG_LEVEL: 'warn' } : {}),
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  await exchange.close();
  process.exit(2);
}
const ticketing = await startTicketing(ticketingConfig);
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

const lines = [
  '',
  'Tessera is running.',
  '',
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
  `  Demo buyer        ${demoAccounts.buyer.phone} (person; 1,000,000 KRW and 500 USDT${seeded ? '' : ', created earlier'})`,
  `  Demo organizer    ${demoAccounts.organizer.phone} (merchant at the exchange; owner of "${demoAccounts.organizer.name}" at the ticketing server${demo ? `, with ${demo.events.map((event) => event.name).join(' and ')} on sale` : ''})`,
  '  Sign in: POST /v1/auth/codes {phone}, read the code in the SMS inbox, POST /v1/auth/sessions.',
  ...(config.environment === 'production'
    ? []
    : [
        '  Operator token    see EXCHANGE_OPERATOR_TOKEN (development default in services/exchange/src/config.ts)',
      ]),
  '',
  '  Organizer command line: npm run organizer -w @tessera/ticketing -- --help',
  '  The mobile and gate apps join `npm start` with their issues.',
  '  Ctrl-C stops everything.',
  '',
];
console.log(lines.join('\n'));

async function stop(code: number) {
  if (rateFeed) clearInterval(rateFeed);
  await ticketing.close();
  await exchange.close();
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
  const ok = checks.every((response) => response.ok) && (events?.events?.length ?? 0) === 2;
  console.log(
    ok ? 'smoke check: ok' : `smoke check failed: ${checks.map((r) => r.status).join(', ')}`,
  );
  await stop(ok ? 0 : 1);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping`);
    void stop(0);
  });
}
