/**
 * `/v1/rates` and `/v1/quotes*` (patent S110): the rates the exchange prices from, quotes at
 * a locked rate and their execution. The rules are in service.ts and pricing.ts.
 */
import { Type } from 'typebox';
import { assetOf, type Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { mutate, subscriberOf } from '../http.ts';
import { AmountString, AssetCode, ErrorBody, errors, Id, IdempotencyHeaders } from '../schemas.ts';
import { createQuote, currentRates, executeQuote, readQuote, tradeAmountOf } from './service.ts';

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
  rateRoutes(app, exchange);
  quoteRoutes(app, exchange);
}

function rateRoutes(app: App, exchange: Exchange) {
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
    async () => ({
      fiat: config.fiat.code,
      maxAgeS: config.rateMaxAgeS,
      spreadBps: config.spreadBps,
      feeBps: config.feeBps,
      quoteTtlS: config.quoteTtlS,
      rates: await currentRates(exchange),
    }),
  );
}

function quoteRoutes(app: App, exchange: Exchange) {
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
      const { side } = request.body;
      const crypto = assetOf(exchange, request.body.asset, 'crypto');
      const amount = tradeAmountOf(exchange, crypto, request.body);
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
}
