/**
 * The organizations the signed-in person works for, with their role at each and what it may
 * do there; one goes straight in. Anyone may create an organization and becomes its owner (create.tsx).
 */
import { Link, Redirect } from 'wouter';
import { useI18n } from '../i18n.ts';
import { useMe } from '../session.tsx';
import { organizerPath } from '../shell/routes.ts';
import { Loaded, Page } from '../ui/page.tsx';
import { isStaffRole, roleKey, roleSummaryKey } from './roles.ts';

export default function OrganizationPicker(props: { stay?: boolean }) {
  const { t } = useI18n();
  const me = useMe();
  return (
    <Page
      title={t('organizations.pick')}
      actions={
        <Link href="/organizations/new" className="button">
          {t('organizations.create')}
        </Link>
      }
    >
      <Loaded query={me}>
        {({ organizers }) => {
          const only = organizers.length === 1 ? organizers[0] : undefined;
          if (only && !props.stay) return <Redirect to={organizerPath(only.id)} replace />;
          if (organizers.length === 0) return <p>{t('organizations.noneYet')}</p>;
          return (
            <ul className="cards">
              {organizers.map((organizer) => (
                <li key={organizer.id}>
                  <Link href={organizerPath(organizer.id)}>
                    <strong>{organizer.name}</strong>
                    <span>{t(roleKey(organizer.role))}</span>
                    {isStaffRole(organizer.role) ? (
                      <small className="hint">{t(roleSummaryKey(organizer.role))}</small>
                    ) : null}
                  </Link>
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
    </Page>
  );
}
