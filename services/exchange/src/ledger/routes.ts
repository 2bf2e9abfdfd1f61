/**
 * The subscriber's wallet (patent units 204 and 210): balances in every asset with their fiat
 * value, and the transaction history from the journal (unit 208), both parties' view.
 */
import { Type } from 'typebox';
import { assetOf, type Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { subscriberOf } from '../http.ts';
import { fiatFor, formatAmount, parseRate } from '../money.ts';
import { errors, iso, Page } from '../schemas.ts';
import { balancesOf } from './service.ts';

export function walletRoutes(app: App, exchange: Exchange) {
  const db = exchange.database.db;
  const fiat = exchange.config.fiat;

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
              Type.Object({ code: Type.String(), scale: Type.Integer(), kind: Type.String() }),
            ),
          }),
        },
      },
    },
    async () => ({ fiat: fiat.code, assets: [...exchange.assets.values()] }),
  );

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
    async (request) => {
      const me = subscriberOf(request);
      const held = await balancesOf(db, me.accountId);
      const now = exchange.clock.now();
      const balances = [];
      for (const asset of exchange.assets.values()) {
        const units = held.get(asset.code) ?? 0n;
        let fiatValue: string | null = null;
        let rateAgeS: number | null = null;
        if (asset.kind === 'fiat') {
          fiatValue = formatAmount(units, asset.scale);
        } else {
          const rate = await exchange.rates.latest(asset.code);
          if (rate) {
            fiatValue = formatAmount(
              fiatFor(units, asset, fiat, parseRate(rate.rate), 'down'),
              fiat.scale,
            );
            rateAgeS = Math.max(0, Math.floor((now - rate.observedAt) / 1000));
          }
        }
        balances.push({
          asset: asset.code,
          amount: formatAmount(units, asset.scale),
          fiatValue,
          rateAgeS,
        });
      }
      return { accountId: me.accountId, fiat: fiat.code, balances };
    },
  );

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
      const limit = request.query.limit ?? 50;
      // Page by entry, not by posting: a trade posts fiat and crypto to the same wallet, and
      // both must land on the same page. The cursor is the entry's last posting of this wallet.
      let pageQuery = db
        .selectFrom('postings')
        .select(['entry_id', (eb) => eb.fn.max('seq').as('cursor')])
        .where('account_id', '=', me.accountId)
        .groupBy('entry_id')
        .orderBy('cursor', 'desc')
        .limit(limit + 1);
      if (request.query.before !== undefined)
        pageQuery = pageQuery.where('seq', '<', request.query.before);
      const found = await pageQuery.execute();
      const page = found.slice(0, limit);
      const rows =
        page.length === 0
          ? []
          : await db
              .selectFrom('postings as p')
              .innerJoin('journal_entries as e', 'e.id', 'p.entry_id')
              .select([
                'p.seq',
                'p.asset',
                'p.amount',
                'e.id',
                'e.kind',
                'e.memo',
                'e.ref_type',
                'e.ref_id',
                'e.created_at',
              ])
              .where('p.account_id', '=', me.accountId)
              .where(
                'p.entry_id',
                'in',
                page.map((item) => item.entry_id),
              )
              .orderBy('p.seq', 'desc')
              .execute();
      const byEntry = new Map<
        string,
        { entry: (typeof rows)[number]; changes: { asset: string; amount: string }[] }
      >();
      for (const row of rows) {
        const asset = assetOf(exchange, row.asset);
        const item = byEntry.get(row.id) ?? { entry: row, changes: [] };
        item.changes.push({
          asset: row.asset,
          amount: formatAmount(BigInt(row.amount), asset.scale),
        });
        byEntry.set(row.id, item);
      }
      return {
        transactions: [...byEntry.values()].map(({ entry, changes }) => ({
          id: entry.id,
          kind: entry.kind,
          memo: entry.memo,
          refType: entry.ref_type,
          refId: entry.ref_id,
          createdAt: iso(entry.created_at) as string,
          changes,
        })),
        nextBefore: found.length > limit ? Number(page.at(-1)?.cursor ?? 0) || null : null,
      };
    },
  );
}
