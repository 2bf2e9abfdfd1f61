/**
 * The exchange's tables as Kysely sees them. Amounts are decimal strings in and out of the
 * database (numeric on PostgreSQL, text on SQLite) and bigint everywhere else; times are
 * integer milliseconds from the injected clock.
 */
import type { PhoneCodesTable } from '@tessera/service-kit/phone-codes';
import type { RateLimitsTable } from '@tessera/service-kit/rate-limit';
import type { Generated } from 'kysely';

export type { PhoneCodesTable };

export type SubscriberKind = 'person' | 'merchant';

export interface SubscribersTable {
  id: string;
  kind: SubscriberKind;
  phone: string;
  display_name: string;
  account_id: string;
  status: 'active' | 'suspended';
  webhook_url: string | null;
  /** AES-256-GCM under the configured secret key; the merchant saw it once. */
  webhook_secret: string | null;
  /** JSON array of allowed return URL prefixes for the hosted buy page. */
  return_urls: string;
  created_at: number;
}

export interface SessionsTable {
  token_hash: string;
  subscriber_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** A buy page handoff code (migration 0006): single use, short-lived, stored hashed. */
export interface BuyHandoffsTable {
  code_hash: string;
  subscriber_id: string;
  /** The session that minted it: the page's session never outlives it. */
  session_hash: string;
  merchant_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ApiKeysTable {
  id: string;
  subscriber_id: string;
  token_hash: string;
  prefix: string;
  label: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AccountsTable {
  id: string;
  subscriber_id: string | null;
  kind: 'wallet' | 'house';
  name: string;
  created_at: number;
}

export interface BalancesTable {
  account_id: string;
  asset: string;
  amount: string;
  updated_at: number;
}

export type EntryKind =
  | 'deposit'
  | 'withdrawal_hold'
  | 'withdrawal_release'
  | 'withdrawal_payout'
  | 'trade'
  | 'transfer'
  | 'payment'
  | 'refund';

export interface JournalEntriesTable {
  seq: Generated<number>;
  id: string;
  kind: EntryKind;
  memo: string | null;
  ref_type: string | null;
  ref_id: string | null;
  created_at: number;
}

export interface PostingsTable {
  seq: Generated<number>;
  entry_id: string;
  account_id: string;
  asset: string;
  amount: string;
}

export interface DepositsTable {
  id: string;
  subscriber_id: string;
  method: 'card' | 'bank_transfer';
  status: 'pending' | 'succeeded' | 'refused' | 'cancelled';
  asset: string;
  amount: string;
  card_last4: string | null;
  failure_code: string | null;
  failure_message: string | null;
  reference: string | null;
  entry_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface WithdrawalsTable {
  id: string;
  subscriber_id: string;
  asset: string;
  amount: string;
  destination: string;
  status: 'requested' | 'approved' | 'rejected';
  hold_entry_id: string;
  settle_entry_id: string | null;
  decided_at: number | null;
  created_at: number;
}

export interface QuotesTable {
  id: string;
  subscriber_id: string;
  side: 'buy' | 'sell';
  asset: string;
  fiat_asset: string;
  crypto_amount: string;
  fiat_amount: string;
  fee_amount: string;
  /** The quoted rate (spread included), fiat per whole crypto unit, as a decimal string. */
  rate: string;
  /** The source's rate before the spread, as a decimal string. */
  source_rate: string;
  /** The rate source's name. */
  rate_source: string;
  rate_at: number;
  expires_at: number;
  status: 'open' | 'executed';
  entry_id: string | null;
  created_at: number;
}

export interface PaymentRequestsTable {
  id: string;
  merchant_id: string;
  asset: string;
  amount: string;
  reference: string;
  description: string | null;
  status: 'open' | 'paid' | 'cancelled';
  expires_at: number;
  payer_id: string | null;
  paid_at: number | null;
  entry_id: string | null;
  refunded_amount: string;
  created_at: number;
}

export interface RefundsTable {
  id: string;
  payment_request_id: string;
  amount: string;
  reason: string | null;
  entry_id: string;
  created_at: number;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: number;
}

export interface NotificationsTable {
  seq: Generated<number>;
  id: string;
  subscriber_id: string;
  type: string;
  payload: string;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  notification_id: string;
  subscriber_id: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  locked_until: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

export interface WebhookAttemptsTable {
  seq: Generated<number>;
  delivery_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface ExchangeDB {
  subscribers: SubscribersTable;
  phone_codes: PhoneCodesTable;
  /** Rate-limit buckets shared by every instance (migration rate_limits). */
  rate_limits: RateLimitsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  buy_handoffs: BuyHandoffsTable;
  accounts: AccountsTable;
  balances: BalancesTable;
  journal_entries: JournalEntriesTable;
  postings: PostingsTable;
  deposits: DepositsTable;
  withdrawals: WithdrawalsTable;
  quotes: QuotesTable;
  payment_requests: PaymentRequestsTable;
  refunds: RefundsTable;
  idempotency_keys: IdempotencyKeysTable;
  notifications: NotificationsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
