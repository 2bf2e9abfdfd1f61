/**
 * Deposits and withdrawals as the API and the notifications show them: amounts in whole units,
 * bank-transfer instructions while a transfer is awaited, account numbers masked for the
 * subscriber and in full for the operator who pays out.
 */
import { assetOf, type Exchange } from '../context.ts';
import { formatAmount } from '../money.ts';
import { iso } from '../schemas.ts';
import type { DepositRecord, WithdrawalRecord } from './repository.ts';
import type { FiatProviders } from './service.ts';

/** `110-123-456789` -> `***-***-**6789`: every digit but the last four hidden, grouping kept. */
export function maskAccountNumber(accountNumber: string): string {
  return accountNumber.replace(/[0-9](?=(?:[^0-9]*[0-9]){4})/g, '*');
}

export function depositView(exchange: Exchange, providers: FiatProviders, deposit: DepositRecord) {
  const asset = assetOf(exchange, deposit.asset);
  const pendingTransfer =
    deposit.status === 'pending' &&
    deposit.method === 'bank_transfer' &&
    deposit.reference !== null;
  return {
    id: deposit.id,
    subscriberId: deposit.subscriberId,
    method: deposit.method,
    status: deposit.status,
    asset: deposit.asset,
    amount: formatAmount(deposit.amount, asset.scale),
    cardLast4: deposit.cardLast4,
    reference: deposit.reference,
    // Instructions only matter while the transfer is still awaited.
    instructions:
      pendingTransfer && providers.bankTransfer && deposit.reference
        ? providers.bankTransfer.instructionsFor(deposit.reference, deposit.amount, asset)
        : null,
    failure:
      deposit.failureCode !== null
        ? { code: deposit.failureCode, message: deposit.failureMessage ?? deposit.failureCode }
        : null,
    entryId: deposit.entryId,
    createdAt: iso(deposit.createdAt) as string,
    updatedAt: iso(deposit.updatedAt) as string,
  };
}

export function withdrawalView(exchange: Exchange, withdrawal: WithdrawalRecord) {
  const asset = assetOf(exchange, withdrawal.asset);
  const destination = withdrawal.destination;
  return {
    id: withdrawal.id,
    subscriberId: withdrawal.subscriberId,
    asset: withdrawal.asset,
    amount: formatAmount(withdrawal.amount, asset.scale),
    destination: {
      bank: destination.bank,
      accountNumber: maskAccountNumber(destination.accountNumber),
      holder: destination.holder,
    },
    status: withdrawal.status,
    holdEntryId: withdrawal.holdEntryId,
    settleEntryId: withdrawal.settleEntryId,
    decidedAt: iso(withdrawal.decidedAt),
    createdAt: iso(withdrawal.createdAt) as string,
  };
}

/** What the operator sees: the full account number too, since the operator makes the payout. */
export function operatorWithdrawalView(exchange: Exchange, withdrawal: WithdrawalRecord) {
  return {
    ...withdrawalView(exchange, withdrawal),
    payoutAccountNumber: withdrawal.destination.accountNumber,
  };
}
