/**
 * The servers as the console uses them: the generated clients (@tessera/api-client) with the
 * apps' call policy (@tessera/web-kit/http: time limits, the servers' clock, typed errors), and
 * TanStack Query for fetching and caching. Screens keep their calls in their feature's own
 * `api.ts`, built on `useApi()`: `api.ticketing.GET(...)` through `api.call`, which adds the
 * signed-in organizer's session.
 *
 * Why TanStack Query: the console shows the same server data on many screens (an event in the
 * list, its editor and its sales); one cache keyed by the call keeps them agreeing, refetches on
 * focus and after a change (`invalidateQueries`), and retries reads but never writes.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import {
  createExchangeClient,
  createTicketingClient,
  type ExchangeClient,
  type TicketingClient,
} from '@tessera/api-client';
import {
  type Answer,
  ApiError,
  answers,
  type CallInit,
  type CallOptions,
  call,
} from '@tessera/web-kit/http';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import type { ConsoleConfig } from './app-config.ts';

export interface Api {
  config: ConsoleConfig;
  ticketing: TicketingClient;
  exchange: ExchangeClient;
  /** A ticketing call with the organizer's session (or `options.token` for another one). */
  call<T>(send: (init: CallInit) => Promise<Answer<T>>, options?: CallOptions): Promise<T>;
}

const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiProvider>');
  return api;
}

/** Reads are retried twice unless the server said no (4xx): a refusal does not change by asking. */
function retryRead(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500 && error.status !== 429) return false;
  return failures < 2;
}

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: retryRead, staleTime: 5_000, refetchOnWindowFocus: true },
    mutations: { retry: false },
  },
});

export function ApiProvider(props: {
  config: ConsoleConfig;
  token: string | undefined;
  children: ReactNode;
}) {
  const { config, token } = props;
  const api = useMemo<Api>(() => {
    const ticketing = createTicketingClient(config.ticketingUrl);
    ticketing.use(answers);
    const exchange = createExchangeClient(config.exchangeUrl);
    exchange.use(answers);
    return {
      config,
      ticketing,
      exchange,
      call: (send, options) => call(send, { token, ...options }),
    };
  }, [config, token]);
  return (
    <QueryClientProvider client={queryClient}>
      <ApiContext.Provider value={api}>{props.children}</ApiContext.Provider>
    </QueryClientProvider>
  );
}
