/**
 * The shell: the header with the language switch, the offline banner, the navigation, the
 * current screen and the notices. The ticket screens are in the first bundle, so a ticket opens
 * with no network and no further download; the other screens load when first visited (the
 * service worker has them all cached for later).
 */
import { lazy, Suspense } from 'react';
import { AppProvider, useApp } from './app-state.tsx';
import { ErrorBoundary, Loading, Message, ScreenError, ScreenTitle } from './components.tsx';
import { I18nProvider, useI18n } from './i18n.ts';
import { Link, parseRoute, type Route, useLocation } from './router.tsx';
import { TicketScreen } from './screens/ticket.tsx';
import { TicketsScreen } from './screens/tickets.tsx';
import { useWalletFeed } from './wallet-feed.ts';

const SignInScreen = lazy(() => import('./screens/sign-in.tsx'));
const EventsScreen = lazy(() => import('./screens/events.tsx'));
const EventScreen = lazy(() => import('./screens/event.tsx'));
const PerformanceScreen = lazy(() => import('./screens/performance.tsx'));
const OrderScreen = lazy(() => import('./screens/order.tsx'));
const DoorSaleScreen = lazy(() => import('./screens/door.tsx'));
const WalletScreen = lazy(() => import('./screens/wallet.tsx'));
const AccountScreen = lazy(() => import('./screens/account.tsx'));

export function App() {
  return (
    <I18nProvider>
      <AppProvider>
        <Shell />
      </AppProvider>
    </I18nProvider>
  );
}

function Shell() {
  const { pathname } = useLocation();
  const route = parseRoute(pathname);
  const { t, lang, setLang } = useI18n();
  const { online, notices, dismiss, bootError } = useApp();
  useWalletFeed();
  const section = sectionOf(route);
  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <Link to="/" className="brand">
          {t('app.name')}
        </Link>
        {/* The name starts with the visible text (WCAG 2.5.3), spoken in its own language. */}
        <button type="button" className="lang" onClick={() => setLang(lang === 'en' ? 'ko' : 'en')}>
          <span lang={lang === 'en' ? 'ko' : 'en'}>{t('lang.toggle')}</span>{' '}
          <span className="visually-hidden">{t('lang.toggleLabel')}</span>
        </button>
      </header>
      {!online && (
        <p className="offline" role="status">
          {t('offline.banner')}
        </p>
      )}
      <nav aria-label={t('nav.label')} className="tabs">
        {(
          [
            ['tickets', '/', t('nav.tickets')],
            ['events', '/events', t('nav.events')],
            ['wallet', '/wallet', t('nav.wallet')],
            ['account', '/account', t('nav.account')],
          ] as const
        ).map(([name, to, label]) => (
          <Link key={name} to={to} aria-current={section === name ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {bootError && <Message kind="error">{bootError}</Message>}
        <ErrorBoundary
          key={pathname}
          fallback={(error, reset) => <ScreenError error={error} reset={reset} />}
        >
          <Suspense fallback={<Loading />}>
            <Screen route={route} />
          </Suspense>
        </ErrorBoundary>
      </main>
      <div className="notices" aria-live="polite">
        {notices.map((notice) => (
          <div key={notice.id} className={`notice notice-${notice.kind}`}>
            <span>{notice.text}</span>
            <button type="button" aria-label={t('common.close')} onClick={() => dismiss(notice.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}

function sectionOf(route: Route) {
  switch (route.name) {
    case 'tickets':
    case 'ticket':
      return 'tickets';
    case 'events':
    case 'event':
    case 'performance':
    case 'order':
    case 'doorSale':
      return 'events';
    case 'wallet':
      return 'wallet';
    case 'account':
    case 'signIn':
      return 'account';
    case 'notFound':
      return undefined;
  }
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'tickets':
      return <TicketsScreen />;
    case 'ticket':
      return <TicketScreen ticketId={route.ticketId} />;
    case 'events':
      return <EventsScreen />;
    case 'event':
      return <EventScreen eventId={route.eventId} />;
    case 'performance':
      return <PerformanceScreen performanceId={route.performanceId} />;
    case 'order':
      return <OrderScreen orderId={route.orderId} />;
    case 'doorSale':
      return <DoorSaleScreen doorSaleId={route.doorSaleId} />;
    case 'wallet':
      return <WalletScreen />;
    case 'account':
      return <AccountScreen />;
    case 'signIn':
      return <SignInScreen />;
    case 'notFound':
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('common.notFound')}</ScreenTitle>
      <Link className="button" to="/">
        {t('common.home')}
      </Link>
    </>
  );
}
