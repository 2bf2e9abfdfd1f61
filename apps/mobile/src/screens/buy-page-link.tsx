/**
 * The way to the exchange's hosted buy page when the wallet is short (issue 21, item 12). The
 * buyer is already signed in to the exchange here, so the page should not ask for the phone and
 * a new SMS code again. The app never puts its wallet token in a URL (history, logs, Referer):
 * it asks the exchange for a one-time handoff code for this buy link's merchant (60 s, single
 * use, see services/exchange/src/buy-page/handoff.ts) and opens the page with it in the URL
 * fragment, which browsers send to no server; the page spends it for a session of its own and
 * wipes the fragment. Should that fail, the fragment still carries the wallet's number, so the
 * page has it filled in and only the code is left to type.
 */
import { type MouseEvent, useState } from 'react';
import { useApis, useApp } from '../app-state.tsx';

/** `href`: the buy page URL, already checked to be the exchange's (order.tsx). */
export function BuyPageLink({ href, children }: { href: string; children: string }) {
  const { exchange } = useApis();
  const { wallet } = useApp();
  const [opening, setOpening] = useState(false);
  const phone = wallet?.phone;
  const withPhone = phone ? `${href}#${new URLSearchParams({ phone })}` : href;

  const open = async (event: MouseEvent<HTMLAnchorElement>) => {
    // Another tab or window keeps the plain link: the code is for this one trip only.
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (opening) return;
    setOpening(true);
    const fragment = new URLSearchParams(phone ? { phone } : {});
    try {
      if (!wallet) throw new Error('no wallet connected');
      const merchant = new URL(href).searchParams.get('merchant') ?? '';
      const { code } = await exchange.buyPageHandoff(wallet.token, merchant);
      fragment.set('handoff', code);
    } catch {
      // The page asks for the code instead, with the number filled in.
    }
    window.location.assign(`${href}#${fragment}`);
  };

  return (
    <a
      className="button button-primary"
      href={withPhone}
      onClick={(event) => void open(event)}
      aria-busy={opening}
    >
      {children}
    </a>
  );
}
