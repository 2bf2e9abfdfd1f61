/**
 * The subscriber's wallet (patent units 204 and 210): the assets, balances in every asset with
 * their fiat value, and the transaction history from the journal (unit 208), both parties' view.
 */
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { subscriberOf } from '../http.ts';
import { errors, Page } from '../schemas.ts';
import { walletBalances, walletHistory } from './wallet.ts';

export function walletRoutes(app: App, exchange: Exchange) {
  assetRoutes(app, exchange);
  balanceRoutes(app, exchange);
  historyRoutes(app, exchange);
}

function assetRoutes(app: App, exchange: Exchange) {
  app.get(
    '/v1/assets',
    {
      config: { access: 'public' },
      schema: {
        tags: ['wallet'],
        summary: 'The assets this exchange holds and their scales',
        response: {
          200: Type.Object({
            fiat: Type.String(),
            assets: Type.Array(
              Type.Object({
                code: Type.String(),
                scale: Type.Integer(),
                kind: Type.Enum(['fiat', 'crypto']),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ fiat: exchange.config.fiat.code, assets: [...exchange.assets.values()] }),
  );
}

function balanceRoutes(app: App, exchange: Exchange) {
  app.get(
    '/v1/wallet',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['wallet'],
        summary: 'Balances in every asset, with their value in fiat at the latest rate',
        response: {
          200: Type.Object({
            accountId: Type.String(),
            fiat: Type.String(),
            balances: Type.Array(
              Type.Object({
                asset: Type.String(),
                amount: Type.String(),
                fiatValue: Type.Union([Type.String(), Type.Null()]),
                rateAgeS: Type.Union([Type.Integer(), Type.Null()]),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => walletBalances(exchange, subscriberOf(request).accountId),
  );
}

function historyRoutes(app: App, exchange: Exchange) {
  app.get(
    '/v1/wallet/transactions',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['wallet'],
        summary: 'Transaction history: every journal entry that touched this wallet, newest first',
        querystring: Type.Object({
          limit: Page.properties.limit,
          before: Type.Optional(
            Type.Integer({ minimum: 1, description: 'Cursor from the previous page' }),
          ),
        }),
        response: {
          200: Type.Object({
            transactions: Type.Array(
              Type.Object({
                id: Type.String(),
                kind: Type.String(),
                memo: Type.Union([Type.String(), Type.Null()]),
                refType: Type.Union([Type.String(), Type.Null()]),
                refId: Type.Union([Type.String(), Type.Null()]),
                createdAt: Type.String(),
                changes: Type.Array(Type.Object({ asset: Type.String(), amount: Type.String() })),
              }),
            ),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      return walletHistory(exchange, me.accountId, {
        limit: request.query.limit ?? 50,
        before: request.query.before,
      });
    },
  );
}
