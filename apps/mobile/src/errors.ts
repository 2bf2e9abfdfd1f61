/**
 * Turns any failure into a sentence the buyer can act on, in their language: a server error code
 * the app knows gets its own message, an unknown one the server's message, no answer at all says
 * so. Nothing here hides an error: the original stays in the console for whoever debugs.
 */
import { type ErrorCode, isErrorCode } from '@tessera/api-client';
import { ApiError, NetworkError } from '@tessera/web-kit/http';
import type { MessageKey, Params } from './i18n.ts';
import { DeviceKeyUnsupportedError } from './identity.ts';

type Translate = (key: MessageKey, params?: Params) => string;

export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    const wait = error.status === 429 ? retryAfterS(error) : undefined;
    if (wait !== undefined) return waitMessage(wait, t);
    const key = isErrorCode(error.code) ? codeMessages[error.code] : null;
    if (key) return t(key);
    return t('error.unexpected', { message: error.message });
  }
  if (error instanceof NetworkError) {
    if (!navigator.onLine) return t('common.needsOnline');
    return t(error.timedOut ? 'error.timeout' : 'error.network');
  }
  if (error instanceof DeviceKeyUnsupportedError) return t('error.noEd25519');
  if (error instanceof DOMException && error.name === 'InvalidStateError') {
    return t('error.noStorage');
  }
  const message = error instanceof Error ? error.message : String(error);
  return t('error.unexpected', { message });
}

/**
 * What the buyer reads for each code the servers answer with (the closed list,
 * @tessera/api-client's `ErrorCode`). `null` is a decision not to word it here: codes a buyer's
 * screen cannot meet (organizer, gate and merchant routes) or that only a bug would cause; the
 * buyer then reads the server's message. A new code fails typecheck here until it is decided.
 */
const codeMessages = {
  account_exists: null,
  account_suspended: null,
  already_paid: 'error.already_paid',
  amount_too_large: 'error.amount_too_large',
  amount_too_small: 'error.amount_too_small',
  asset_mismatch: null,
  bad_request: null,
  busy: null,
  buyer_limit: 'error.buyer_limit',
  category_in_use: null,
  close_reason_required: null,
  database_unavailable: 'error.database_unavailable',
  device_key_in_use: 'error.device_key_in_use',
  device_required: null,
  door_sale_cancelled: null,
  door_sale_category_not_allowed: null,
  door_sale_claimed: null,
  door_sale_expired: null,
  door_sale_paid: null,
  door_sale_paying: null,
  door_sales_closed: null,
  duplicate_category: null,
  duplicate_performance: null,
  duplicate_seats: null,
  event_cancelled: null,
  exchange_error: null,
  exchange_unavailable: 'error.exchange_unavailable',
  forbidden: null,
  fully_refunded: null,
  // The buy page's handoff codes: the hosted page says these itself, the apps only mint codes.
  handoff_expired: null,
  handoff_used: null,
  handoff_wrong_merchant: null,
  hold_expiring: 'error.hold_expiring',
  hold_limit: 'error.hold_limit',
  hold_not_active: 'error.hold_not_active',
  hold_ordered: null,
  https_required: null,
  idempotency_conflict: null,
  idempotency_key_required: null,
  insufficient_funds: 'error.insufficient_funds',
  internal_error: null,
  invalid_amount: 'error.invalid_amount',
  invalid_api_key: null,
  invalid_asset: null,
  invalid_card_number: 'error.invalid_card_number',
  invalid_category: null,
  invalid_code: 'error.invalid_code',
  invalid_cursor: null,
  invalid_cvc: 'error.invalid_cvc',
  invalid_device_proof: null,
  invalid_event: null,
  invalid_expiry: 'error.invalid_expiry',
  invalid_json: null,
  invalid_limits: null,
  invalid_performance: null,
  invalid_performances: null,
  invalid_reference: null,
  invalid_request: null,
  invalid_seat_map: null,
  invalid_signature: null,
  invalid_text: 'error.invalid_text',
  invalid_ticket: null,
  invalid_ticket_terms: null,
  invalid_time: null,
  invalid_time_zone: null,
  invalid_url: null,
  last_key: null,
  last_owner: null,
  method_unavailable: null,
  mixed_pricing: null,
  no_categories: null,
  no_payment: null,
  no_performances: null,
  no_webhook: null,
  not_a_merchant: null,
  not_bound: null,
  not_cancellable: 'error.not_cancellable',
  not_claimable: 'error.not_claimable',
  not_found: null,
  not_on_sale: 'error.not_on_sale',
  not_open: null,
  not_paid: null,
  not_pending: null,
  not_ready: null,
  not_reissuable: null,
  not_requested: null,
  not_together: 'error.not_together',
  not_transferable: 'error.not_transferable',
  order_in_progress: null,
  order_limit: 'error.order_limit',
  organizer_signup_closed: null,
  own_request: null,
  owner_is_caller: null,
  owner_required: null,
  payment_method_refused: null,
  payment_mismatch: null,
  payment_request_refused: 'error.payment_request_refused',
  performance_cancelled: null,
  performance_closed: null,
  performance_in_use: null,
  performance_not_scheduled: 'error.performance_not_scheduled',
  performance_not_started: null,
  performance_over: 'error.performance_over',
  private_address: null,
  quota_below_sales: null,
  quota_over_capacity: null,
  quote_executed: 'error.quote_executed',
  quote_expired: 'error.quote_expired',
  rate_limited: 'error.rate_limited',
  rate_stale: 'error.rate_stale',
  rate_unavailable: 'error.rate_unavailable',
  refund_exceeds_payment: null,
  refund_not_allowed: null,
  request_cancelled: 'error.request_cancelled',
  request_expired: 'error.request_expired',
  same_wallet: null,
  seat_in_two_categories: null,
  seat_map_in_use: null,
  seats_unavailable: 'error.seats_unavailable',
  self_transfer: 'error.self_transfer',
  slug_mismatch: null,
  slug_taken: null,
  sold_out: 'error.sold_out',
  storage_full: 'error.storage_full',
  ticket_cancelled: null,
  ticket_changed: 'error.ticket_changed',
  ticket_used: 'error.ticket_used',
  too_many_categories: null,
  too_many_streams: null,
  too_many_wrong_codes: null,
  transfer_not_pending: 'error.transfer_not_pending',
  transfer_pending: 'error.transfer_pending',
  try_again: null,
  unauthenticated: null,
  undeclared_answer: null,
  unknown_asset: null,
  unknown_category: null,
  venue_change: null,
  wallet_not_linked: null,
} as const satisfies Record<ErrorCode, MessageKey | null>;

/**
 * How long a 429 asks to wait: both servers put their `Retry-After` seconds in
 * `details.retryAfterS` too (the header is not readable across origins without CORS).
 */
export function retryAfterS(error: ApiError): number | undefined {
  const seconds = error.details.retryAfterS;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds)
    : undefined;
}

/** "Too many tries. Wait 30 seconds", "... 4 minutes", "... 5 hours": the wait the server named. */
function waitMessage(seconds: number, t: Translate) {
  if (seconds < 90) return t('error.rate_limited_seconds', { seconds });
  if (seconds < 90 * 60)
    return t('error.rate_limited_minutes', { minutes: Math.ceil(seconds / 60) });
  return t('error.rate_limited_hours', { hours: Math.ceil(seconds / 3600) });
}

/** A 401 from a server: the session there has ended. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.code !== 'invalid_code';
}
