/**
 * Whether the buyer may give a ticket back for a refund, by the same rule as the ticketing server
 * (`POST /v1/tickets/{ticketId}/refund`): the event's policy is `until_start`, and the performance
 * starts more than `refundCutoffS` from now. The server has the last word (a ticket already used
 * at a gate is refused there); this only decides whether the app offers the button.
 */
export interface RefundPolicy {
  refundPolicy: string;
  refundCutoffS: number;
}

export function refundOpen(policy: RefundPolicy, startsAt: string, nowMs: number): boolean {
  if (policy.refundPolicy !== 'until_start') return false;
  return Date.parse(startsAt) - nowMs > policy.refundCutoffS * 1000;
}

/** When refunds close: the start less the cut-off (ISO), for the button's hint. */
export function refundClosesAt(policy: RefundPolicy, startsAt: string): string {
  return new Date(Date.parse(startsAt) - policy.refundCutoffS * 1000).toISOString();
}
