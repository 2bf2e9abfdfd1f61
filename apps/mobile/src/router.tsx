/**
 * A small router over the History API: the screens are few, so a path pattern per screen is all
 * it takes, and no router library weighs on the first load. The server (and the service worker
 * when offline) answers every app path with index.html, so a reload or a deep link (such as the
 * exchange's buy page returning to `/orders/<id>`) lands on the right screen.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react';

export type Route =
  | { name: 'tickets' }
  | { name: 'ticket'; ticketId: string }
  | { name: 'events' }
  | { name: 'event'; eventId: string }
  | { name: 'performance'; performanceId: string }
  | { name: 'order'; orderId: string }
  | { name: 'doorSale'; doorSaleId: string }
  | { name: 'wallet' }
  | { name: 'account' }
  | { name: 'signIn' }
  | { name: 'notFound' };

const patterns: [RegExp, (match: string[]) => Route][] = [
  [/^\/$/, () => ({ name: 'tickets' })],
  [/^\/tickets\/(tkt_[0-9a-z]+)$/, ([, id]) => ({ name: 'ticket', ticketId: id as string })],
  [/^\/events$/, () => ({ name: 'events' })],
  [/^\/events\/(ev_[0-9a-z]+)$/, ([, id]) => ({ name: 'event', eventId: id as string })],
  [
    /^\/performances\/(perf_[0-9a-z]+)$/,
    ([, id]) => ({ name: 'performance', performanceId: id as string }),
  ],
  [/^\/orders\/(ord_[0-9a-z]+)$/, ([, id]) => ({ name: 'order', orderId: id as string })],
  [/^\/door\/(ds_[0-9A-Za-z_-]+)$/, ([, id]) => ({ name: 'doorSale', doorSaleId: id as string })],
  [/^\/wallet$/, () => ({ name: 'wallet' })],
  [/^\/account$/, () => ({ name: 'account' })],
  [/^\/sign-in$/, () => ({ name: 'signIn' })],
];

export function parseRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const [pattern, build] of patterns) {
    const match = pattern.exec(path);
    if (match) return build([...match]);
  }
  return { name: 'notFound' };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const listener of listeners) listener();
}

export interface Location {
  pathname: string;
  search: URLSearchParams;
}

function currentLocation(): Location {
  return { pathname: location.pathname, search: new URLSearchParams(location.search) };
}

export function useLocation(): Location {
  const [current, setCurrent] = useState(currentLocation);
  useEffect(() => {
    const update = () => setCurrent(currentLocation());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return current;
}

/** A link that changes screens without reloading; modified clicks keep the browser's behaviour. */
export function Link({
  to,
  onClick,
  ...rest
}: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={follow} {...rest} />;
}
