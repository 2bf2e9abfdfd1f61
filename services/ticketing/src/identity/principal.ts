/**
 * Who a request acts for, as authentication finds it: a signed-in user, an enrolled gate
 * terminal, or the platform operator. Types only, shared by the service and its repository.
 */

export interface UserPrincipal {
  readonly type: 'user';
  readonly id: string;
  readonly phone: string;
}

/** An enrolled gate terminal (unit 408/416): admits to its organizer's listed performances. */
export interface TerminalPrincipal {
  readonly type: 'terminal';
  readonly id: string;
  readonly organizerId: string;
  readonly venueId: string;
  readonly gate: string;
  readonly name: string;
  readonly performanceIds: readonly string[];
}

export type Principal = UserPrincipal | TerminalPrincipal | { readonly type: 'operator' };
