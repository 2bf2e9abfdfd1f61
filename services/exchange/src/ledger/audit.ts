/**
 * The ledger audit: replays the whole journal and checks every balance and invariant.
 * - every entry has at least two postings and its postings sum to zero per asset;
 * - the balances table equals the sum of each account's postings (the journal is the truth);
 * - for each asset, all balances sum to zero;
 * - no wallet is negative (only `house:` accounts may be);
 * - every posting names a known account and, when the assets are given, a known asset;
 * - paid payment requests have their payment entry, refunds never exceed the payment and match
 *   the refund entries; executed quotes and succeeded deposits have their entries.
 * It only reads, so it can run beside a live server.
 */
import type { Database } from '@tessera/db';
import type { ExchangeDB } from '../db/schema.ts';
import { balanceKey, isHouseAccount } from './service.ts';

export interface AuditReport {
  readonly ok: boolean;
  readonly problems: string[];
  readonly entries: number;
  readonly postings: number;
  readonly accounts: number;
  /** Sum of every wallet's balance per asset: what the exchange owes its subscribers. */
  readonly owedToSubscribers: Record<string, string>;
}

const page = 5_000;
const maxProblems = 100;

export async function auditLedger(
  database: Database<ExchangeDB>,
  assets?: ReadonlySet<string>,
): Promise<AuditReport> {
  const db = database.db;
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < maxProblems) problems.push(text);
  };

  const accountRows = await db.selectFrom('accounts').select(['id', 'kind']).execute();
  const accounts = new Map(accountRows.map((row) => [row.id, row.kind]));
  for (const [id, kind] of accounts) {
    if ((kind === 'house') !== isHouseAccount(id))
      problem(`account ${id} is ${kind} but its id says otherwise`);
  }

  // Replay postings in order, a page at a time, checking each entry as it completes.
  const replayed = new Map<string, bigint>();
  const entrySums = new Map<string, Map<string, bigint>>();
  const entryPostings = new Map<string, number>();
  let postings = 0;
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('postings')
      .select(['seq', 'entry_id', 'account_id', 'asset', 'amount'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(page)
      .execute();
    for (const row of rows) {
      postings += 1;
      const amount = BigInt(row.amount);
      if (amount === 0n) problem(`posting ${row.seq} has amount zero`);
      if (!accounts.has(row.account_id))
        problem(`posting ${row.seq} names unknown account ${row.account_id}`);
      if (assets && !assets.has(row.asset))
        problem(`posting ${row.seq} names unknown asset ${row.asset}`);
      const key = balanceKey(row.account_id, row.asset);
      replayed.set(key, (replayed.get(key) ?? 0n) + amount);
      const sums = entrySums.get(row.entry_id) ?? new Map<string, bigint>();
      sums.set(row.asset, (sums.get(row.asset) ?? 0n) + amount);
      entrySums.set(row.entry_id, sums);
      entryPostings.set(row.entry_id, (entryPostings.get(row.entry_id) ?? 0) + 1);
    }
    if (rows.length < page) break;
    after = rows.at(-1)?.seq ?? after;
  }
  for (const [entry, sums] of entrySums) {
    for (const [asset, sum] of sums) {
      if (sum !== 0n) problem(`entry ${entry}: ${asset} postings sum to ${sum}, not zero`);
    }
    if ((entryPostings.get(entry) ?? 0) < 2) problem(`entry ${entry} has fewer than two postings`);
  }

  const entryRows = await db
    .selectFrom('journal_entries')
    .select(['id', 'kind', 'ref_id'])
    .execute();
  const entries = new Map(entryRows.map((row) => [row.id, row]));
  for (const entry of entries.keys()) {
    if (!entrySums.has(entry)) problem(`entry ${entry} has no postings`);
  }
  for (const entry of entrySums.keys()) {
    if (!entries.has(entry)) problem(`postings reference missing entry ${entry}`);
  }

  // The balances table must be exactly the replay.
  const totals = new Map<string, bigint>();
  const owed = new Map<string, bigint>();
  const balanceRows = await db
    .selectFrom('balances')
    .select(['account_id', 'asset', 'amount'])
    .execute();
  const seen = new Set<string>();
  for (const row of balanceRows) {
    const key = balanceKey(row.account_id, row.asset);
    seen.add(key);
    const stored = BigInt(row.amount);
    const expected = replayed.get(key) ?? 0n;
    if (stored !== expected) {
      problem(
        `balance ${row.account_id} ${row.asset} is ${stored} but the journal says ${expected}`,
      );
    }
    if (stored < 0n && !isHouseAccount(row.account_id))
      problem(`wallet ${row.account_id} is negative in ${row.asset}: ${stored}`);
    totals.set(row.asset, (totals.get(row.asset) ?? 0n) + stored);
    if (!isHouseAccount(row.account_id)) owed.set(row.asset, (owed.get(row.asset) ?? 0n) + stored);
  }
  for (const [key, amount] of replayed) {
    if (!seen.has(key) && amount !== 0n)
      problem(`journal balance ${key.replace('\u0000', ' ')} = ${amount} has no balance row`);
  }
  for (const [asset, total] of totals) {
    if (total !== 0n) problem(`${asset}: all balances sum to ${total}, not zero`);
  }

  // Business records agree with the journal.
  const requests = await db
    .selectFrom('payment_requests')
    .select(['id', 'status', 'amount', 'asset', 'entry_id', 'refunded_amount'])
    .execute();
  const refundRows = await db
    .selectFrom('refunds')
    .select(['payment_request_id', 'amount', 'entry_id'])
    .execute();
  const refunded = new Map<string, bigint>();
  for (const refund of refundRows) {
    refunded.set(
      refund.payment_request_id,
      (refunded.get(refund.payment_request_id) ?? 0n) + BigInt(refund.amount),
    );
    if (entries.get(refund.entry_id)?.kind !== 'refund')
      problem(`refund of ${refund.payment_request_id} has no refund entry`);
  }
  for (const request of requests) {
    const paidEntry = request.entry_id ? entries.get(request.entry_id) : undefined;
    if (
      request.status === 'paid' &&
      (paidEntry?.kind !== 'payment' || paidEntry.ref_id !== request.id)
    ) {
      problem(`payment request ${request.id} is paid without its payment entry`);
    }
    if (request.status !== 'paid' && request.entry_id)
      problem(`payment request ${request.id} is ${request.status} but has a payment entry`);
    const refundedTotal = refunded.get(request.id) ?? 0n;
    if (refundedTotal !== BigInt(request.refunded_amount)) {
      problem(
        `payment request ${request.id}: refunded_amount ${request.refunded_amount} but refunds total ${refundedTotal}`,
      );
    }
    if (refundedTotal > BigInt(request.amount))
      problem(`payment request ${request.id} refunded more than paid`);
  }
  const paymentsByRequest = new Map<string, number>();
  for (const entry of entries.values()) {
    if (entry.kind === 'payment' && entry.ref_id) {
      paymentsByRequest.set(entry.ref_id, (paymentsByRequest.get(entry.ref_id) ?? 0) + 1);
    }
  }
  for (const [request, count] of paymentsByRequest) {
    if (count > 1) problem(`payment request ${request} was paid ${count} times`);
  }
  const quotes = await db.selectFrom('quotes').select(['id', 'status', 'entry_id']).execute();
  for (const quote of quotes) {
    const executed = quote.entry_id ? entries.get(quote.entry_id)?.kind === 'trade' : false;
    if ((quote.status === 'executed') !== executed)
      problem(`quote ${quote.id} is ${quote.status} but its trade entry does not agree`);
  }
  const deposits = await db.selectFrom('deposits').select(['id', 'status', 'entry_id']).execute();
  for (const deposit of deposits) {
    const credited = deposit.entry_id ? entries.get(deposit.entry_id)?.kind === 'deposit' : false;
    if ((deposit.status === 'succeeded') !== credited)
      problem(`deposit ${deposit.id} is ${deposit.status} but its entry does not agree`);
  }

  return {
    ok: problems.length === 0,
    problems,
    entries: entries.size,
    postings,
    accounts: accounts.size,
    owedToSubscribers: Object.fromEntries(
      [...owed].map(([asset, amount]) => [asset, amount.toString()]),
    ),
  };
}
