/**
 * Staff (issue 19 item 2): who works for the organization and in which role, inviting a phone
 * number with a role, changing a role and removing someone. The owner's screen
 * (`manage_staff`); the server refuses every call to anyone else and keeps the last owner
 * (409 last_owner, shown in words). An invited number needs no account yet: the person signs in
 * to the console with it and finds the organization there.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { displayPhone, normalizePhone } from '@tessera/web-kit/phone';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useOrganizer, useSession } from '../session.tsx';
import { ConfirmRow } from '../ui/confirm-row.tsx';
import { Field, FormFailure, Notice } from '../ui/form.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { PhoneInput } from '../ui/phone-inputs.tsx';
import { type StaffMember, staffKey, useStaff } from './api.ts';
import { roleKey, roleSummaryKey, type StaffRole, staffRoles } from './roles.ts';

export default function StaffScreen() {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const staff = useStaff(organizer.id);
  return (
    <Page title={t('organizations.staff.title')}>
      <Loaded query={staff}>
        {(members) => (
          <table className="staff">
            <thead>
              <tr>
                <th>{t('organizations.staff.phone')}</th>
                <th>{t('organizations.staff.name')}</th>
                <th>{t('organizations.staff.role')}</th>
                <th>{t('organizations.staff.since')}</th>
                <th>
                  <span className="visually-hidden">{t('organizations.staff.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <StaffRow key={member.userId} member={member} />
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      <h2>{t('organizations.staff.invite')}</h2>
      <InviteForm />
      <RoleGuide />
    </Page>
  );
}

/** PUT staff/{phone}: gives the number the role (a member's role is replaced). */
function usePutStaff() {
  const api = useApi();
  const organizer = useOrganizer();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { phone: string; role: StaffRole }) =>
      api.call((init) =>
        api.ticketing.PUT('/v1/organizers/{organizerId}/staff/{phone}', {
          ...init,
          params: { path: { organizerId: organizer.id, phone: input.phone } },
          body: { role: input.role },
        }),
      ),
    // The person may have changed their own role: what they may open changes with it.
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: staffKey(organizer.id) }),
        queryClient.invalidateQueries({ queryKey: ['me'] }),
      ]),
  });
}

function InviteForm() {
  const { t } = useI18n();
  const put = usePutStaff();
  const [added, setAdded] = useState<{ phone: string; role: StaffRole }>();
  const form = useForm<{ phone: string; role: StaffRole }>({
    defaultValues: { phone: '', role: 'box_office' },
  });
  const submit = form.handleSubmit(async ({ phone: typed, role }) => {
    setAdded(undefined);
    const phone = normalizePhone(typed);
    if (!phone) {
      form.setError('phone', { message: t('signIn.badPhone') });
      return;
    }
    await put.mutateAsync({ phone, role }).then(
      () => {
        setAdded({ phone, role });
        form.reset({ phone: '', role });
      },
      () => undefined,
    );
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t('organizations.staff.invite')}>
      <Field
        label={t('organizations.staff.invitePhone')}
        error={form.formState.errors.phone}
        hint={t('organizations.staff.invitePhoneHint')}
      >
        <PhoneInput register={form.register} name="phone" autoComplete="off" />
      </Field>
      <Field label={t('organizations.staff.role')}>
        <select {...form.register('role')}>
          {staffRoles.map((role) => (
            <option key={role} value={role}>
              {t(roleKey(role))}
            </option>
          ))}
        </select>
      </Field>
      <FormFailure error={put.error} />
      {added ? (
        <Notice>
          {t('organizations.staff.added', {
            phone: displayPhone(added.phone),
            role: t(roleKey(added.role)),
          })}
        </Notice>
      ) : null}
      <button type="submit" className="primary" disabled={put.isPending}>
        {t('organizations.staff.inviteButton')}
      </button>
    </form>
  );
}

function StaffRow(props: { member: StaffMember }) {
  const { t, fmt } = useI18n();
  const api = useApi();
  const organizer = useOrganizer();
  const { session } = useSession();
  const queryClient = useQueryClient();
  const { member } = props;
  const phone = displayPhone(member.phone);
  const isMe = member.phone === session?.phone;
  const [confirming, setConfirming] = useState(false);
  const changeRole = usePutStaff();
  const remove = useMutation({
    mutationFn: () =>
      api.call((init) =>
        api.ticketing.DELETE('/v1/organizers/{organizerId}/staff/{phone}', {
          ...init,
          params: { path: { organizerId: organizer.id, phone: member.phone } },
        }),
      ),
    onSuccess: () => setConfirming(false),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: staffKey(organizer.id) }),
        queryClient.invalidateQueries({ queryKey: ['me'] }),
      ]),
  });

  return (
    <>
      <tr>
        <td>
          {phone}
          {isMe ? ` ${t('organizations.staff.you')}` : ''}
        </td>
        <td>{member.firstName ?? '—'}</td>
        <td>
          <select
            aria-label={t('organizations.staff.roleOf', { phone })}
            value={member.role}
            disabled={changeRole.isPending}
            onChange={(event) => {
              remove.reset();
              changeRole.mutate({ phone: member.phone, role: event.target.value as StaffRole });
            }}
          >
            {staffRoles.map((role) => (
              <option key={role} value={role}>
                {t(roleKey(role))}
              </option>
            ))}
          </select>
        </td>
        <td>{fmt.stamp(member.createdAt)}</td>
        <td>
          {confirming ? null : (
            <button
              type="button"
              onClick={() => {
                changeRole.reset();
                setConfirming(true);
              }}
            >
              {t('organizations.staff.remove')}
            </button>
          )}
        </td>
      </tr>
      {confirming ? (
        <ConfirmRow
          columns={5}
          label={t('organizations.staff.remove')}
          explain={
            isMe
              ? t('organizations.staff.removeSelf')
              : t('organizations.staff.removeConfirm', { phone })
          }
          confirm={t('organizations.staff.removeButton', { phone })}
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate()}
          onCancel={() => {
            remove.reset();
            setConfirming(false);
          }}
        />
      ) : null}
      {changeRole.error ? (
        <tr>
          <td colSpan={5}>
            <FormFailure error={changeRole.error} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** One line per role on what it may do, from the server's permission table. */
function RoleGuide() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="role-guide">
      <h2 id="role-guide">{t('organizations.staff.rolesTitle')}</h2>
      <dl className="role-guide">
        {staffRoles.map((role) => (
          <div key={role}>
            <dt>{t(roleKey(role))}</dt>
            <dd>{t(roleSummaryKey(role))}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
