/**
 * Rates, quotes and trades (issue item 4) and the hosted buy page (item 6). A quote locks a price
 * from a fresh rate for a few seconds; executing it is one journal entry. The buy page is a
 * self-contained HTML page a merchant links to, which tops a buyer's wallet up to the amount an
 * order needs and sends the buyer back to an allowlisted return URL.
 */
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import type { App } from '../app.ts';
import { mutate, subscriberOf } from '../app.ts';
import {
  buyErrorPageHtml,
  buyPageHeaders,
  buyPageHtml,
  checkBuyRequest,
  prefersKorean,
} from '../buy-page.ts';
import { assetOf, type Exchange } from '../context.ts';
import { badRequest } from '../errors.ts';
import { parseAmount } from '../money.ts';
import { createQuote, executeQuote, isStale, rateAgeS, readQuote } from '../trading.ts';
import { AmountString, AssetCode, ErrorBody, errors, Id, IdempotencyHeaders } from './schemas.ts';

const Quote = Type.Object({
  id: Type.String(),
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
  asset: Type.String(),
  fiat: Type.String(),
  cryptoAmount: Type.String(),
  fiatAmount: Type.String({ description: 'The fiat value at the quoted rate, before the fee' }),
  fee: Type.String(),
  total: Type.String({
    description: 'Buy: fiatAmount + fee, what the buyer pays. Sell: fiatAmount − fee, received.',
  }),
  rate: Type.String({ description: 'The quoted rate, spread included, fiat per whole unit' }),
  sourceRate: Type.String(),
  rateSource: Type.String(),
  rateObservedAt: Type.String(),
  rateAgeS: Type.Integer({ description: 'How old the source rate was when quoted' }),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('executed'), Type.Literal('expired')]),
  tradeId: Type.Union([Type.String(), Type.Null()], {
    description: 'The journal entry of the executed trade',
  }),
});

const quoteErrors = { ...errors, 503: ErrorBody };

export function tradingRoutes(app: App, exchange: Exchange) {
  const { config } = exchange;

  app.get(
    '/v1/rates',
    {
      config: { access: 'public' },
      schema: {
        tags: ['trading'],
        summary: "Each crypto asset's latest rate, its source and age, and whether it is stale",
        description:
          'A stale rate (older than maxAgeS) or a missing one (rate null) cannot be quoted.',
        response: {
          200: Type.Object({
            fiat: Type.String(),
            maxAgeS: Type.Integer(),
            spreadBps: Type.Integer(),
            feeBps: Type.Integer(),
            quoteTtlS: Type.Integer(),
            rates: Type.Array(
              Type.Object({
                asset: Type.String(),
                rate: Type.Union([Type.String(), Type.Null()]),
                source: Type.Union([Type.String(), Type.Null()]),
                observedAt: Type.Union([Type.String(), Type.Null()]),
                ageS: Type.Union([Type.Integer(), Type.Null()]),
                stale: Type.Boolean(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const now = exchange.clock.now();
      const rates = [];
      for (const asset of config.cryptoAssets) {
        const rate = await exchange.rates.latest(asset.code);
        rates.push(
          rate
            ? {
                asset: asset.code,
                rate: rate.rate,
                source: rate.source,
                observedAt: new Date(rate.observedAt).toISOString(),
                ageS: rateAgeS(now, rate.observedAt),
                stale: isStale(now, rate.observedAt, config.rateMaxAgeS),
              }
            : {
                asset: asset.code,
                rate: null,
                source: null,
                observedAt: null,
                ageS: null,
                stale: false,
              },
        );
      }
      return {
        fiat: config.fiat.code,
        maxAgeS: config.rateMaxAgeS,
        spreadBps: config.spreadBps,
        feeBps: config.feeBps,
        quoteTtlS: config.quoteTtlS,
        rates,
      };
    },
  );

  app.post(
    '/v1/quotes',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['trading'],
        summary: 'Quote a buy or sell of a crypto asset at a locked rate, valid for quoteTtlS',
        description:
          'Give exactly one of cryptoAmount (the crypto to buy or sell) or fiatAmount (the fiat to spend, or the fiat value to sell for, before the fee). Rounding always favours the house. 503 rate_unavailable or rate_stale when no fresh rate exists.',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
            asset: AssetCode,
            cryptoAmount: Type.Optional(AmountString),
            fiatAmount: Type.Optional(AmountString),
          },
          { additionalProperties: false },
        ),
        response: { 201: Quote, ...quoteErrors },
      },
    },
    async (request, reply) => {
      const me = subscriberOf(request);
      const { side, cryptoAmount, fiatAmount } = request.body;
      const crypto = assetOf(exchange, request.body.asset, 'crypto');
      if ((cryptoAmount === undefined) === (fiatAmount === undefined)) {
        throw badRequest('invalid_amount', 'give exactly one of cryptoAmount or fiatAmount');
      }
      const amount =
        cryptoAmount !== undefined
          ? { crypto: parseAmount(cryptoAmount, crypto, 'cryptoAmount') }
          : { fiat: parseAmount(fiatAmount as string, config.fiat, 'fiatAmount') };
      if (('crypto' in amount ? amount.crypto : amount.fiat) <= 0n) {
        throw badRequest('invalid_amount', 'the amount must be positive');
      }
      // Read before the transaction: a ticker source may go to the network.
      const observed = await exchange.rates.latest(crypto.code);
      return mutate(exchange, request, reply, async (work) => ({
        status: 201,
        body: await createQuote(exchange, work, me, { side, crypto, amount }, observed),
      }));
    },
  );

  app.get(
    '/v1/quotes/:id',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['trading'],
        summary: 'One of your quotes, with its status (open, expired or executed)',
        params: Type.Object({ id: Id('qt') }),
        response: { 200: Quote, ...errors },
      },
    },
    (request) => readQuote(exchange, subscriberOf(request), request.params.id),
  );

  app.post(
    '/v1/quotes/:id/execute',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['trading'],
        summary: 'Execute your open, unexpired quote at its locked amounts',
        description:
          '409 quote_expired, quote_executed, or insufficient_funds (nothing moves). One trade journal entry with every leg.',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('qt') }),
        response: { 200: Quote, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      return mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: await executeQuote(exchange, work, me, request.params.id),
      }));
    },
  );

  const BuyQuery = Type.Object({
    merchant: Type.Optional(Type.String({ description: 'The merchant id, mer_…' })),
    asset: Type.Optional(Type.String({ description: 'The crypto asset the order is paid in' })),
    amount: Type.Optional(Type.String({ description: 'The amount the order needs, e.g. 0.0003' })),
    returnUrl: Type.Optional(
      Type.String({ description: "Where to send the buyer back; one of the merchant's prefixes" }),
    ),
  });

  app.get(
    '/v1/buy-page/check',
    {
      config: { access: 'public' },
      schema: {
        tags: ['buy page'],
        summary: 'Whether a buy page link is valid: known merchant, asset, amount, allowed return',
        querystring: BuyQuery,
        response: {
          200: Type.Object({
            allowed: Type.Boolean(),
            code: Type.Union([Type.String(), Type.Null()]),
            message: Type.Union([Type.String(), Type.Null()]),
            merchant: Type.Union([
              Type.Object({ id: Type.String(), displayName: Type.String() }),
              Type.Null(),
            ]),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const check = await checkBuyRequest(exchange, request.query);
      return check.ok
        ? { allowed: true, code: null, message: null, merchant: check.merchant }
        : {
            allowed: false,
            code: check.code,
            message: check.message.en,
            merchant: check.merchant ?? null,
          };
    },
  );

  app.get(
    '/buy',
    {
      config: { access: 'public' },
      // Bad links get the HTML error page below, never the JSON error body.
      attachValidation: true,
      schema: {
        tags: ['buy page'],
        summary: 'The hosted buy page (HTML): sign in, buy the missing crypto, return to the shop',
        description:
          'Validated first: an unknown merchant, a bad asset or amount, or a returnUrl outside the merchant allowlist answers 400 with an HTML page, never a redirect.',
        querystring: Type.Object({
          ...BuyQuery.properties,
          reference: Type.Optional(Type.String({ description: "The merchant's order reference" })),
        }),
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const nonce = randomBytes(16).toString('base64');
      const korean = prefersKorean(request.headers['accept-language']);
      reply.headers(buyPageHeaders(nonce));
      reply.type('text/html; charset=utf-8');
      // A failed schema check is not thrown: checkBuyRequest judges the raw query and says what
      // is wrong on the HTML page.
      const check = await checkBuyRequest(exchange, request.query, { requireReference: true });
      if (!check.ok) {
        return reply.code(400).send(buyErrorPageHtml(nonce, check, korean));
      }
      return reply.code(200).send(
        buyPageHtml(nonce, {
          merchant: check.merchant,
          asset: check.asset.code,
          scale: check.asset.scale,
          amount: check.amount,
          returnUrl: check.returnUrl,
          reference: check.reference,
          fiat: config.fiat.code,
          fiatScale: config.fiat.scale,
          sandbox: config.environment !== 'production',
        }),
      );
    },
  );
}
