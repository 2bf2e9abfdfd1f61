/**
 * The gate report's other book: revenue as the exchange has it, read back from the organizer's
 * payment requests, and the requests that do not agree with the orders here.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError } from '@tessera/service-kit/errors';
import type { Ticketing } from '../../context.ts';
import type { PaymentRequestView } from '../../exchange-client.ts';
import { walletOf } from '../../organizers/wallet.ts';
import { AssetTotals, type ScaleOf } from '../totals.ts';
import { type OrderOfRequest, ordersWithRequests, type ReportPerformance } from './repository.ts';

/** Pages of the exchange's payment requests read for one report, at most (200 each). */
const exchangePagesMax = 500;
/** The two servers' clocks may differ; the walk back goes this much past the first order. */
const exchangeClockMarginMs = 3_600_000;
const exchangeListMax = 100;

type CheckStatus = 'checked' | 'incomplete' | 'unavailable';

/** What the walk over the exchange's requests found. */
interface ExchangeBook {
  paid: AssetTotals;
  refunded: AssetTotals;
  mismatched: { requestId: string; orderId: string; problem: string }[];
  status: CheckStatus;
}

/**
 * Revenue as the exchange has it: the organizer's payment requests are read back from the
 * exchange, page by page from the newest to the performance's first order, and those of this
 * performance's orders are summed per asset: paid, and refunded (ticket refunds and stored-value
 * remainders alike). A request the exchange does not list, or lists unpaid or at another amount
 * while the order is paid here, is named, so the two books can be reconciled.
 */
export async function exchangeRevenue(
  ticketing: Ticketing,
  performance: ReportPerformance,
  scaleOf: ScaleOf,
) {
  const orders = await ordersWithRequests(ticketing.database.db, performance.id);
  const ours = new Map(orders.map((order) => [order.payment_request_id, order]));
  const book: ExchangeBook = {
    paid: new AssetTotals(),
    refunded: new AssetTotals(),
    mismatched: [],
    status: 'checked',
  };
  if (ours.size > 0) {
    const earliest = Math.min(...orders.map((order) => order.created_at)) - exchangeClockMarginMs;
    try {
      await walkRequests(ticketing, performance.organizer_id, ours, earliest, book);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      book.status = 'unavailable';
    }
  }
  const revenue = [];
  for (const asset of book.paid.assets()) {
    const scale = await scaleOf(asset);
    revenue.push({
      asset,
      paid: formatAmount(book.paid.units(asset), scale),
      requests: book.paid.countOf(asset),
      refunded: formatAmount(book.refunded.units(asset), scale),
      net: formatAmount(book.paid.units(asset) - book.refunded.units(asset), scale),
    });
  }
  // Orders still open may have no request the exchange lists yet only if it is unreachable.
  const missing =
    book.status === 'unavailable'
      ? []
      : [...ours.values()]
          .filter((order) => order.paid_at !== null)
          .slice(0, exchangeListMax)
          .map((order) => ({ requestId: order.payment_request_id, orderId: order.id }));
  return { status: book.status, revenue, missing, mismatched: book.mismatched };
}

/**
 * Reads the organizer's requests from the newest back until every order here is found or the
 * pages pass `earliest`, summing ours into `book`; found orders leave `ours`.
 */
async function walkRequests(
  ticketing: Ticketing,
  organizerId: string,
  ours: Map<string, OrderOfRequest>,
  earliest: number,
  book: ExchangeBook,
) {
  const wallet = await walletOf(ticketing, organizerId);
  let before: number | undefined;
  for (let page = 0; ; page++) {
    if (page === exchangePagesMax) {
      book.status = 'incomplete';
      return;
    }
    const { requests, nextBefore } = await ticketing.exchange.paymentRequestPage(
      wallet.apiKey,
      before,
    );
    for (const request of requests) {
      const order = ours.get(request.id);
      if (!order) continue;
      ours.delete(request.id);
      if (request.status === 'paid') {
        book.paid.add(request.asset, request.amount, 1);
        book.refunded.add(
          request.asset,
          request.refundedAmount,
          request.refundedAmount > 0n ? 1 : 0,
        );
      }
      const problem = mismatchOf(order, request);
      if (problem && book.mismatched.length < exchangeListMax) {
        book.mismatched.push({ requestId: request.id, orderId: order.id, problem });
      }
    }
    if (ours.size === 0 || nextBefore === null || nextBefore < earliest) return;
    before = nextBefore;
  }
}

/** How the exchange's request disagrees with the order here, or null when they agree. */
export function mismatchOf(
  order: Pick<OrderOfRequest, 'asset' | 'amount' | 'paid_at'>,
  request: Pick<PaymentRequestView, 'status' | 'asset' | 'amount'>,
): string | null {
  if (order.paid_at !== null && request.status !== 'paid') {
    return `paid here, ${request.status} at the exchange`;
  }
  if (order.paid_at === null && request.status === 'paid') return 'paid at the exchange, not here';
  if (request.asset !== order.asset || request.amount !== order.amount) {
    return 'another amount at the exchange';
  }
  return null;
}
