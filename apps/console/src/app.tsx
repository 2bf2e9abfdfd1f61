/**
 * The console: its configuration, the session, the servers (api.tsx), and the routes. Signed
 * out, every address shows the sign-in; signed in, `/` picks an organization and
 * `/o/:organizerId/...` opens a feature's screen inside the organizer's frame.
 *
 * Routing is wouter's (why: 2 kB, hooks-first and enough for nested paths with parameters; the
 * console needs no loaders or data routers, since TanStack Query does the data).
 */
import { type ComponentType, lazy, Suspense, useEffect, useState } from 'react';
import { Redirect, Route, Switch, useParams } from 'wouter';
import { ApiProvider } from './api.tsx';
import type { ConsoleConfig } from './app-config.ts';
import { routes as checkinRoutes } from './checkin/routes.ts';
import { routes as closingRoutes } from './closing/routes.ts';
import { loadConfig } from './config.ts';
import { routes as doorSalesRoutes } from './door-sales/routes.ts';
import { routes as eventRoutes } from './events/routes.ts';
import { routes as gateRoutes } from './gates/routes.ts';
import { I18nProvider, useI18n } from './i18n.ts';
import { routes as organizationRoutes } from './organizations/routes.ts';
import { routes as salesRoutes } from './sales/routes.ts';
import { OrganizerProvider, SessionProvider, scopeOf, useMe } from './session.tsx';
import { AccountControls, Layout } from './shell/layout.tsx';
import type { ConsoleRoute } from './shell/routes.ts';
import { Loaded } from './ui/page.tsx';
import { routes as venueRoutes } from './venues/routes.ts';

const SignIn = lazy(() => import('./shell/sign-in.tsx'));
const OrganizationPicker = lazy(() => import('./organizations/picker.tsx'));
const CreateOrganization = lazy(() => import('./organizations/create.tsx'));

/** Every organizer screen, from each feature's table. */
const organizerRoutes: readonly ConsoleRoute[] = [
  ...eventRoutes,
  ...salesRoutes,
  ...venueRoutes,
  ...gateRoutes,
  ...organizationRoutes,
  ...checkinRoutes,
  ...closingRoutes,
  ...doorSalesRoutes,
];

export function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    loadConfig().then(setConfig, (error: unknown) => setFailed(String(error)));
  }, []);
  return (
    <I18nProvider>
      {config ? (
        <SessionProvider>
          {(session) => (
            <ApiProvider config={config} token={session?.token}>
              <Suspense fallback={<Loading />}>{session ? <SignedIn /> : <SignedOut />}</Suspense>
            </ApiProvider>
          )}
        </SessionProvider>
      ) : failed ? (
        <p role="alert">{failed}</p>
      ) : (
        <Loading />
      )}
    </I18nProvider>
  );
}

function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

function SignedOut() {
  return (
    <>
      <SignIn />
      <footer className="sign-in-footer">
        <AccountControls />
      </footer>
    </>
  );
}

function SignedIn() {
  return (
    <Switch>
      <Route path="/o/:organizerId" nest>
        <OrganizerScreens />
      </Route>
      <Route path="/organizations/new">
        <Bare screen={CreateOrganization} />
      </Route>
      <Route path="/organizations">
        <Bare screen={() => <OrganizationPicker stay />} />
      </Route>
      <Route path="/">
        <Bare screen={OrganizationPicker} />
      </Route>
      <Route>
        <Redirect to="/" replace />
      </Route>
    </Switch>
  );
}

/** A screen outside any organizer: the picker, creating one. */
function Bare(props: { screen: ComponentType }) {
  const Screen = props.screen;
  return (
    <div className="bare">
      <main className="content">
        <Screen />
      </main>
      <footer>
        <AccountControls />
      </footer>
    </div>
  );
}

/** `/o/:organizerId/...`: the organizer as the person works for it, then the feature's screen. */
function OrganizerScreens() {
  const { organizerId } = useParams<{ organizerId: string }>();
  const me = useMe();
  return (
    <Loaded query={me}>
      {({ organizers }) => {
        const membership = organizers.find((organizer) => organizer.id === organizerId);
        // Not in what is cached: wait for the refetch (an organization just created) before
        // sending the person back to the list.
        if (!membership && me.isFetching) return <Loading />;
        if (!membership) return <Redirect to="~/organizations" replace />;
        const organizer = scopeOf(membership);
        const allowed = organizerRoutes.filter((route) => organizer.can(route.permission));
        const home = allowed.find((route) => route.nav)?.path ?? '/';
        return (
          <OrganizerProvider value={organizer}>
            <Layout organizer={organizer} routes={organizerRoutes}>
              <Switch>
                {allowed.map((route) => (
                  <Route key={route.path} path={route.path} component={route.screen} />
                ))}
                <Route>
                  <Redirect to={home} replace />
                </Route>
              </Switch>
            </Layout>
          </OrganizerProvider>
        );
      }}
    </Loaded>
  );
}
