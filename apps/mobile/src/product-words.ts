/**
 * A transit pass or a stored-value card is not a concert (issue 21, item 10): where the buying
 * screens would say "Choose seats" or "Your seats are held", a pass says "Choose your pass" and
 * "Your pass is held". A product is a pass when none of its categories is a one-time admission
 * (`single`): the demo's City Transit Pass (10 rides, a day pass, a stored-value card) is one, a
 * concert with a standing area is not.
 */
import { useEffect, useState } from 'react';
import { useApis } from './app-state.tsx';
import type { MessageKey } from './i18n.ts';

/** The concert's words that a pass says its own way, and the pass's word for each. */
const passWords = {
  'event.onSale': 'pass.choose',
  'perf.holding': 'pass.holding',
  'order.holdNote': 'pass.holdNote',
  'order.timeUp': 'pass.timeUp',
  'order.chooseAgain': 'pass.chooseAgain',
  'order.expired': 'pass.expired',
  'order.issuing': 'pass.issuing',
  'order.issued': 'pass.issued',
  'order.openTicket': 'pass.open',
} as const satisfies Partial<Record<MessageKey, MessageKey>>;

export type ProductWord = keyof typeof passWords;

/** The key to say `key` with, for a pass or not. */
export function productWord(key: ProductWord, pass: boolean): MessageKey {
  return pass ? passWords[key] : key;
}

/** Whether an event with these categories sells passes rather than admissions to a show. */
export function isPassProduct(categories: readonly { kind: string }[]): boolean {
  return categories.length > 0 && categories.every((category) => category.kind !== 'single');
}

/** Per performance, whether it is a pass's: asked once while the app runs. */
const passPerformances = new Map<string, Promise<boolean>>();

/**
 * Whether the performance belongs to a pass (its event's categories), for the buying screens
 * that only know the performance. False until known, and when it cannot be asked: the general
 * words are never wrong, only less apt.
 */
export function usePassPerformance(performanceId: string | undefined): boolean {
  const { ticketing } = useApis();
  const [pass, setPass] = useState(false);
  useEffect(() => {
    if (!performanceId) return;
    let known = passPerformances.get(performanceId);
    if (!known) {
      known = ticketing
        .performance(performanceId)
        .then((performance) => ticketing.event(performance.event.id))
        .then((event) => isPassProduct(event.categories));
      // A failed look-up is not kept: the next screen asks again.
      known.catch(() => passPerformances.delete(performanceId));
      passPerformances.set(performanceId, known);
    }
    let current = true;
    known.then(
      (answer) => current && setPass(answer),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [ticketing, performanceId]);
  return pass;
}
