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
import type { Kysely } from 'kysely';
import type { ExchangeDB } from '../db/schema.ts';
import {
  accountKinds,
  allBalances,
  depositEntries,
  type EntryHead,
  journalEntries,
  paymentRequestTotals,
  postingsAfter,
  quoteEntries,
  refundTotals,
} from './repository.ts';
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

type Problem = (text: string) => void;

export async function auditLedger(
  database: Database<ExchangeDB>,
  assets?: ReadonlySet<string>,
): Promise<AuditReport> {
  const db = database.db;
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < maxProblems) problems.push(text);
  };

  const accounts = await checkAccounts(db, problem);
  const replay = await replayPostings(db, accounts, assets, problem);
  const entries = await checkEntries(db, replay, problem);
  const owed = await checkBalances(db, replay.balances, problem);
  await checkPayments(db, entries, problem);
  await checkQuotesAndDeposits(db, entries, problem);

  return {
    ok: problems.length === 0,
    problems,
    entries: entries.size,
    postings: replay.postings,
    accounts: accounts.size,
    owedToSubscribers: Object.fromEntries(
      [...owed].map(([asset, amount]) => [asset, amount.toString()]),
    ),
  };
}

/** Every account by id, with its kind; a house account's id says so and no other's does. */
async function checkAccounts(db: Kysely<ExchangeDB>, problem: Problem) {
  const accounts = new Map((await accountKinds(db)).map((row) => [row.id, row.kind]));
  for (const [id, kind] of accounts) {
    if ((kind === 'house') !== isHouseAccount(id))
      problem(`account ${id} is ${kind} but its id says otherwise`);
  }
  return accounts;
}

interface Replay {
  /** Each (account, asset) balance as the journal says. */
  readonly balances: Map<string, bigint>;
  /** Each entry's sum per asset. */
  readonly entrySums: Map<string, Map<string, bigint>>;
  readonly entryPostings: Map<string, number>;
  readonly postings: number;
}

/** Replays postings in order, a page at a time. */
async function replayPostings(
  db: Kysely<ExchangeDB>,
  accounts: ReadonlyMap<string, unknown>,
  assets: ReadonlySet<string> | undefined,
  problem: Problem,
): Promise<Replay> {
  const balances = new Map<string, bigint>();
  const entrySums = new Map<string, Map<string, bigint>>();
  const entryPostings = new Map<string, number>();
  let postings = 0;
  let after = 0;
  for (;;) {
    const rows = await postingsAfter(db, after, page);
    for (const row of rows) {
      postings += 1;
      const amount = row.amount;
      if (amount === 0n) problem(`posting ${row.seq} has amount zero`);
      if (!accounts.has(row.account))
        problem(`posting ${row.seq} names unknown account ${row.account}`);
      if (assets && !assets.has(row.asset))
        problem(`posting ${row.seq} names unknown asset ${row.asset}`);
      const key = balanceKey(row.account, row.asset);
      balances.set(key, (balances.get(key) ?? 0n) + amount);
      const sums = entrySums.get(row.entryId) ?? new Map<string, bigint>();
      sums.set(row.asset, (sums.get(row.asset) ?? 0n) + amount);
      entrySums.set(row.entryId, sums);
      entryPostings.set(row.entryId, (entryPostings.get(row.entryId) ?? 0) + 1);
    }
    if (rows.length < page) break;
    after = rows.at(-1)?.seq ?? after;
  }
  return { balances, entrySums, entryPostings, postings };
}

/** Each entry sums to zero per asset over two or more postings; entries and postings match. */
async function checkEntries(db: Kysely<ExchangeDB>, replay: Replay, problem: Problem) {
  for (const [entry, sums] of replay.entrySums) {
    for (const [asset, sum] of sums) {
      if (sum !== 0n) problem(`entry ${entry}: ${asset} postings sum to ${sum}, not zero`);
    }
    if ((replay.entryPostings.get(entry) ?? 0) < 2)
      problem(`entry ${entry} has fewer than two postings`);
  }
  const entries = new Map((await journalEntries(db)).map((row) => [row.id, row]));
  for (const entry of entries.keys()) {
    if (!replay.entrySums.has(entry)) problem(`entry ${entry} has no postings`);
  }
  for (const entry of replay.entrySums.keys()) {
    if (!entries.has(entry)) problem(`postings reference missing entry ${entry}`);
  }
  return entries;
}

/**
 * The balances table must be exactly the replay, each asset sum to zero and no wallet be
 * negative. Returns what the wallets hold per asset.
 */
async function checkBalances(
  db: Kysely<ExchangeDB>,
  replayed: ReadonlyMap<string, bigint>,
  problem: Problem,
) {
  const totals = new Map<string, bigint>();
  const owed = new Map<string, bigint>();
  const seen = new Set<string>();
  for (const row of await allBalances(db)) {
    const key = balanceKey(row.account, row.asset);
    seen.add(key);
    const stored = row.amount;
    const expected = replayed.get(key) ?? 0n;
    if (stored !== expected) {
      problem(`balance ${row.account} ${row.asset} is ${stored} but the journal says ${expected}`);
    }
    if (stored < 0n && !isHouseAccount(row.account))
      problem(`wallet ${row.account} is negative in ${row.asset}: ${stored}`);
    totals.set(row.asset, (totals.get(row.asset) ?? 0n) + stored);
    if (!isHouseAccount(row.account)) owed.set(row.asset, (owed.get(row.asset) ?? 0n) + stored);
  }
  for (const [key, amount] of replayed) {
    if (!seen.has(key) && amount !== 0n)
      problem(`journal balance ${key.replace('\u0000', ' ')} = ${amount} has no balance row`);
  }
  for (const [asset, total] of totals) {
    if (total !== 0n) problem(`${asset}: all balances sum to ${total}, not zero`);
  }
  return owed;
}

/** Paid payment requests have one payment entry; refunds match their entries and the total. */
async function checkPayments(
  db: Kysely<ExchangeDB>,
  entries: ReadonlyMap<string, EntryHead>,
  problem: Problem,
) {
  const requests = await paymentRequestTotals(db);
  const refunded = new Map<string, bigint>();
  for (const refund of await refundTotals(db)) {
    refunded.set(
      refund.paymentRequestId,
      (refunded.get(refund.paymentRequestId) ?? 0n) + refund.amount,
    );
    if (entries.get(refund.entryId)?.kind !== 'refund')
      problem(`refund of ${refund.paymentRequestId} has no refund entry`);
  }
  for (const request of requests) {
    const paidEntry = request.entryId ? entries.get(request.entryId) : undefined;
    if (
      request.status === 'paid' &&
      (paidEntry?.kind !== 'payment' || paidEntry.refId !== request.id)
    ) {
      problem(`payment request ${request.id} is paid without its payment entry`);
    }
    if (request.status !== 'paid' && request.entryId)
      problem(`payment request ${request.id} is ${request.status} but has a payment entry`);
    const refundedTotal = refunded.get(request.id) ?? 0n;
    if (refundedTotal !== request.refundedAmount) {
      problem(
        `payment request ${request.id}: refunded_amount ${request.refundedAmount} but refunds total ${refundedTotal}`,
      );
    }
    if (refundedTotal > request.amount)
      problem(`payment request ${request.id} refunded more than paid`);
  }
  const paymentsByRequest = new Map<string, number>();
  for (const entry of entries.values()) {
    if (entry.kind === 'payment' && entry.refId) {
      paymentsByRequest.set(entry.refId, (paymentsByRequest.get(entry.refId) ?? 0) + 1);
    }
  }
  for (const [request, count] of paymentsByRequest) {
    if (count > 1) problem(`payment request ${request} was paid ${count} times`);
  }
}

/** Executed quotes have their trade entry and succeeded deposits their deposit entry. */
async function checkQuotesAndDeposits(
  db: Kysely<ExchangeDB>,
  entries: ReadonlyMap<string, EntryHead>,
  problem: Problem,
) {
  for (const quote of await quoteEntries(db)) {
    const executed = quote.entryId ? entries.get(quote.entryId)?.kind === 'trade' : false;
    if ((quote.status === 'executed') !== executed)
      problem(`quote ${quote.id} is ${quote.status} but its trade entry does not agree`);
  }
  for (const deposit of await depositEntries(db)) {
    const credited = deposit.entryId ? entries.get(deposit.entryId)?.kind === 'deposit' : false;
    if ((deposit.status === 'succeeded') !== credited)
      problem(`deposit ${deposit.id} is ${deposit.status} but its entry does not agree`);
  }
}
