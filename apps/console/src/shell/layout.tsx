/**
 * The frame around an organizer's screens: the organization's name and the person's role, the
 * side navigation listing only the screens the role may open, the language and sign-out. The
 * screen itself comes from the features' route tables (shell/routes.ts); one the role may not
 * open is not rendered at all (the server would refuse its calls anyway).
 */
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, Suspense } from 'react';
import { Link, useRoute } from 'wouter';
import { useApi } from '../api.tsx';
import { type Lang, useI18n } from '../i18n.ts';
import { roleKey } from '../organizations/roles.ts';
import { type OrganizerScope, useSession } from '../session.tsx';
import type { ConsoleRoute } from './routes.ts';

export function Layout(props: {
  organizer: OrganizerScope;
  routes: readonly ConsoleRoute[];
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { organizer } = props;
  const nav = props.routes
    .filter((route) => route.nav && organizer.can(route.permission))
    .sort((a, b) => (a.nav?.order ?? 0) - (b.nav?.order ?? 0));
  return (
    <div className="layout">
      <aside className="sidebar">
        <p className="brand">{t('app.name')}</p>
        <p className="organization">
          <strong>{organizer.name}</strong>
          <span>{t(roleKey(organizer.role))}</span>
        </p>
        <nav aria-label={organizer.name}>
          <ul>
            {nav.map((route) => (
              // Relative: the organizer's routes are nested under /o/:organizerId (app.tsx), so an
              // absolute /o/… here would be read as /o/…/o/… and land on the home screen.
              <NavItem key={route.path} href={route.path}>
                {route.nav ? t(route.nav.label) : null}
              </NavItem>
            ))}
            <li>
              <Link href="/organizations">{t('nav.organizations')}</Link>
            </li>
          </ul>
        </nav>
        <AccountControls />
      </aside>
      <main className="content">
        <Suspense
          fallback={
            <p className="loading" role="status">
              {t('common.loading')}
            </p>
          }
        >
          {props.children}
        </Suspense>
      </main>
    </div>
  );
}

function NavItem(props: { href: string; children: ReactNode }) {
  const [active] = useRoute(`${props.href}/*?`);
  return (
    <li>
      <Link href={props.href} aria-current={active ? 'page' : undefined}>
        {props.children}
      </Link>
    </li>
  );
}

/** The language and signing out, at the foot of the navigation (and on the sign-in page). */
export function AccountControls() {
  const { t, lang, setLang } = useI18n();
  const api = useApi();
  const { session, signedOut } = useSession();
  const queryClient = useQueryClient();
  const signOut = async () => {
    // The session ends at the server too; if that call fails the token still leaves this browser.
    await api.call((init) => api.ticketing.DELETE('/v1/auth/session', init)).catch(() => undefined);
    queryClient.clear();
    signedOut();
  };
  return (
    <div className="account">
      <label>
        {t('nav.language')}{' '}
        <select value={lang} onChange={(event) => setLang(event.target.value as Lang)}>
          <option value="en">English</option>
          <option value="ko">한국어</option>
        </select>
      </label>
      {session ? (
        <button type="button" onClick={signOut}>
          {t('nav.signOut')}
        </button>
      ) : null}
    </div>
  );
}
