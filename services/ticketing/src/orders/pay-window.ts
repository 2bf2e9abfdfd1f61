/**
 * The time an order needs on its hold, shared by the order code (service.ts) and the
 * configuration's check (config.ts), so a hold length the orders cannot use is refused at start
 * rather than failing every order with `hold_expiring`.
 */

/**
 * An order is placed only while more than this is left to pay: from now to the payment request's
 * end (the hold's end less `TICKETING_PAYMENT_MARGIN_S`). Less would leave the buyer no time.
 */
export const orderPayWindowMinS = 30;

/**
 * The time a buyer is given, on top of that, between holding the seats and placing the order
 * (the app places it on the next screen; an API client may take longer).
 */
export const holdToOrderS = 15;

/** The shortest hold that leaves an order its pay window after the payment margin. */
export function holdTtlMinS(paymentMarginS: number): number {
  return paymentMarginS + orderPayWindowMinS + holdToOrderS;
}
