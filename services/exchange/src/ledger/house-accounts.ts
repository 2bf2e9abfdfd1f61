/**
 * The house accounts every exchange has; only these may go negative. Migration 0001 created
 * them with these ids.
 */
export const houseAccounts = {
  liquidity: 'house:liquidity',
  fees: 'house:fees',
  card: 'house:card',
  bank: 'house:bank',
  payouts: 'house:payouts',
} as const;
