/**
 * Fiat in (patent S110): the payment-provider port and the two providers behind it.
 *
 * A provider is asked to collect an amount from a payment source and answers succeeded, refused
 * or pending. `collectDeposit` (deposits.ts) calls it OUTSIDE any database transaction (a live
 * processor is a network call) and `recordDeposit` then records the answer in one transaction.
 * A live adapter must therefore pass `idempotencyKey` on to its processor: if the recording
 * transaction fails, the client retries with the same Idempotency-Key, the processor recognises
 * the key and answers with the original charge instead of charging again, and this time it is
 * recorded.
 *
 * - `SandboxCardProvider` behaves like a card processor's test mode: documented test card numbers
 *   give each outcome, and no money moves. It is for development and tests only.
 * - `BankTransferProvider` issues a reference the buyer puts on a transfer to the exchange's
 *   bank account; the deposit stays pending until an operator matches the transfer and confirms.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { ExchangeConfig } from '../config.ts';
import type { DepositsTable } from '../db/schema.ts';
import { badRequest } from '../errors.ts';
import { type Asset, formatAmount } from '../money.ts';

export type DepositMethod = DepositsTable['method'];

/** Why a card was refused; clients branch on these, so they never change meaning. */
export type DeclineCode =
  | 'card_declined'
  | 'insufficient_funds'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'card_not_supported';

/** A card as the buyer typed it. Lives only for the request; never stored or logged. */
export interface CardDetails {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

export interface TransferInstructions {
  readonly bankName: string;
  readonly accountNumber: string;
  readonly accountHolder: string;
  /** The buyer must put this in the transfer's memo: it is how the operator matches it. */
  readonly reference: string;
  readonly amount: string;
  readonly asset: string;
  readonly note: string;
}

export interface CollectRequest<Source> {
  readonly depositId: string;
  readonly asset: Asset;
  /** Smallest units of `asset`, positive. */
  readonly amount: bigint;
  /** Stable across the client's retries of one request; live processors dedupe on it. */
  readonly idempotencyKey: string;
  readonly source: Source;
}

export type Collection =
  | { readonly status: 'succeeded'; readonly cardLast4: string | null }
  | {
      readonly status: 'refused';
      readonly code: DeclineCode;
      readonly message: string;
      readonly cardLast4: string | null;
    }
  | {
      readonly status: 'pending';
      readonly reference: string;
      readonly instructions: TransferInstructions;
    };

/** The port every way of paying fiat in goes through. */
export interface PaymentProvider<Source> {
  readonly method: DepositMethod;
  /** Shown in the API and docs; a sandbox says so in its name. */
  readonly name: string;
  /** True when no real money moves: never offer it to real customers. */
  readonly sandbox: boolean;
  /**
   * Asks the provider to collect the amount. Throws a 400 ApiError when the source cannot be
   * used at all (a mistyped card number); refusals by the issuer are answers, not errors.
   */
  collect(request: CollectRequest<Source>): Promise<Collection>;
}

/** Luhn (mod 10): catches every single-digit typo and most transpositions. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * The sandbox's documented test cards (the same numbers common processors use in test mode).
 * Any other Luhn-valid number is refused with `card_not_supported`, so a real card typed into a
 * development server is never mistaken for a working one.
 */
export const sandboxTestCards: Readonly<Record<string, DeclineCode | 'succeeds'>> = {
  '4242424242424242': 'succeeds',
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
  '4000000000000069': 'expired_card',
  '4000000000000127': 'incorrect_cvc',
};

const declineMessages: Readonly<Record<DeclineCode, string>> = {
  card_declined: 'the card was declined',
  insufficient_funds: 'the card has insufficient funds',
  expired_card: 'the card has expired',
  incorrect_cvc: "the card's security code is incorrect",
  card_not_supported: 'this card is not supported; use another card or a bank transfer',
};

/** The digits of a card number as typed; of these the exchange keeps only the last four. */
function cardDigits(number: string): string {
  // People type card numbers in groups; spaces and dashes are not part of the number.
  return number.replace(/[\s-]/g, '');
}

/** Card test mode for development: no money moves, and the name and docs say so. */
export class SandboxCardProvider implements PaymentProvider<CardDetails> {
  readonly method = 'card' as const;
  readonly name = 'card sandbox (test mode, no real money)';
  readonly sandbox = true;

  constructor(private readonly clock: Clock) {}

  async collect(request: CollectRequest<CardDetails>): Promise<Collection> {
    const card = request.source;
    const digits = cardDigits(card.number);
    // Card numbers are 12 to 19 digits (ISO/IEC 7812). The number is never echoed back, not even
    // in an error, so it cannot end up in a log or a stored response.
    if (!/^[0-9]{12,19}$/.test(digits) || !luhnValid(digits)) {
      throw badRequest('invalid_card_number', 'the card number is not valid; check it and retry');
    }
    if (!/^[0-9]{3,4}$/.test(card.cvc)) {
      throw badRequest('invalid_cvc', 'the security code (CVC) must be 3 or 4 digits');
    }
    if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
      throw badRequest('invalid_expiry', 'expMonth must be 1 to 12');
    }
    if (!Number.isInteger(card.expYear) || card.expYear < 2000 || card.expYear > 2199) {
      throw badRequest('invalid_expiry', 'expYear must be the four-digit year, such as 2030');
    }
    const cardLast4 = digits.slice(-4);
    const refused = (code: DeclineCode): Collection => ({
      status: 'refused',
      code,
      message: declineMessages[code],
      cardLast4,
    });
    // A card is good through the last moment of its expiry month (UTC, as processors treat it).
    const firstDayAfterExpiry = Date.UTC(card.expYear, card.expMonth, 1);
    if (this.clock.now() >= firstDayAfterExpiry) return refused('expired_card');
    const outcome = sandboxTestCards[digits] ?? 'card_not_supported';
    if (outcome === 'succeeds') return { status: 'succeeded', cardLast4 };
    return refused(outcome);
  }
}

/** The exchange's own account that buyers transfer to. */
export interface BankAccountDetails {
  readonly bankName: string;
  readonly accountNumber: string;
  readonly accountHolder: string;
}

/**
 * A placeholder account for development: it is not a real account, and it is never offered in
 * production (see `fiatProviders`).
 */
const sandboxBankAccount: BankAccountDetails = {
  bankName: 'Tessera Sandbox Bank (development only, not a real account)',
  accountNumber: '000-000000-00000',
  accountHolder: 'Tessera Exchange (sandbox)',
};

// No 0/O, 1/I/L: people read these off a screen and type them into a banking app.
const referenceAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** `TSR-XXXX-XXXX`: 31^8 (about 2^40) references, typeable, hard to guess. */
function newTransferReference(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += referenceAlphabet[randomInt(referenceAlphabet.length)];
  return `TSR-${out.slice(0, 4)}-${out.slice(4)}`;
}

export const transferReferencePattern = '^TSR-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$';

/** Bank transfer in: a reference and instructions now, the money when an operator confirms. */
export class BankTransferProvider implements PaymentProvider<undefined> {
  readonly method = 'bank_transfer' as const;
  readonly name: string;

  constructor(
    private readonly account: BankAccountDetails,
    readonly sandbox: boolean,
  ) {
    this.name = sandbox ? 'bank transfer (sandbox account)' : 'bank transfer';
  }

  instructionsFor(reference: string, amount: bigint, asset: Asset): TransferInstructions {
    return {
      bankName: this.account.bankName,
      accountNumber: this.account.accountNumber,
      accountHolder: this.account.accountHolder,
      reference,
      amount: formatAmount(amount, asset.scale),
      asset: asset.code,
      note: `Transfer exactly ${formatAmount(amount, asset.scale)} ${asset.code} with ${reference} as the memo. The wallet is credited once the transfer is matched and confirmed.`,
    };
  }

  async collect(request: CollectRequest<undefined>): Promise<Collection> {
    const reference = newTransferReference();
    return {
      status: 'pending',
      reference,
      instructions: this.instructionsFor(reference, request.amount, request.asset),
    };
  }
}

export interface FiatProviders {
  /** null: card deposits are not offered. */
  readonly card: PaymentProvider<CardDetails> | null;
  readonly bankTransfer: BankTransferProvider | null;
}

/**
 * The providers a configuration gets. Both are sandboxes, so production gets neither: the card
 * sandbox would mint money for anyone who types 4242 4242 4242 4242, and the placeholder bank
 * account is not the exchange's. A live deployment passes its own providers to `fiatRoutes`.
 */
export function fiatProviders(config: ExchangeConfig, clock: Clock): FiatProviders {
  if (config.environment === 'production') return { card: null, bankTransfer: null };
  return {
    card: new SandboxCardProvider(clock),
    bankTransfer: new BankTransferProvider(sandboxBankAccount, true),
  };
}
