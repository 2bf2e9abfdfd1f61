/**
 * The organization's ticket signing keys (issue 19 item 7; unit 110): rotate and retire, each
 * with what it does to tickets already in hand. What the server does (organizers/keys.ts,
 * admission/authenticate.ts): a rotation adds a key that every new ticket, transfer and reissue
 * is signed with, and older keys stay active, so tickets in hand keep working; retiring a key
 * takes it out of the keyring gates check against, so tickets it signed are refused (at once
 * online, offline once a gate refreshes its event package), and the server re-signs nothing: only
 * a ticket reissued or transferred afterwards carries the new key. The last active key cannot be
 * retired (409 last_key). Both calls are the owner's (`manage_staff` on the server).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { ConfirmRow } from '../ui/confirm-row.tsx';
import { FormFailure, Notice } from '../ui/form.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { organizerKey, type SigningKey, useOrganizerRecord } from './api.ts';

export default function KeysScreen() {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const record = useOrganizerRecord(organizer.id);
  return (
    <Page title={t('organizations.keys.title')}>
      <p>{t('organizations.keys.intro')}</p>
      <Loaded query={record}>
        {({ keys }) => {
          const active = keys.filter((key) => key.status === 'active').length;
          return (
            <>
              <KeyTable keys={keys} canRetire={active > 1} />
              {active > 1 ? null : <p className="hint">{t('organizations.keys.lastKey')}</p>}
              <Rotate />
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

function KeyTable(props: { keys: readonly SigningKey[]; canRetire: boolean }) {
  const { t } = useI18n();
  return (
    <table className="keys">
      <thead>
        <tr>
          <th>{t('organizations.keys.keyId')}</th>
          <th>{t('organizations.keys.status')}</th>
          <th>{t('organizations.keys.created')}</th>
          <th>{t('organizations.keys.retired')}</th>
          <th>
            <span className="visually-hidden">{t('organizations.staff.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.keys.map((key) => (
          <KeyRow key={key.id} signingKey={key} canRetire={props.canRetire} />
        ))}
      </tbody>
    </table>
  );
}

function KeyRow(props: { signingKey: SigningKey; canRetire: boolean }) {
  const { t, fmt } = useI18n();
  const api = useApi();
  const organizer = useOrganizer();
  const queryClient = useQueryClient();
  const { signingKey: key } = props;
  const [confirming, setConfirming] = useState(false);
  const retire = useMutation({
    mutationFn: () =>
      api.call((init) =>
        api.ticketing.POST('/v1/organizers/{organizerId}/keys/{keyId}/retire', {
          ...init,
          params: { path: { organizerId: organizer.id, keyId: key.id } },
        }),
      ),
    onSuccess: () => setConfirming(false),
    onSettled: () => queryClient.invalidateQueries({ queryKey: organizerKey(organizer.id) }),
  });
  const active = key.status === 'active';
  return (
    <>
      <tr data-key={key.keyId}>
        <td>
          <code>{key.keyId}</code>
        </td>
        <td>
          {active ? t('organizations.keys.statusActive') : t('organizations.keys.statusRetired')}
        </td>
        <td>{fmt.stamp(key.createdAt)}</td>
        <td>{key.retiredAt ? fmt.stamp(key.retiredAt) : '—'}</td>
        <td>
          {active && props.canRetire && !confirming ? (
            <button type="button" onClick={() => setConfirming(true)}>
              {t('organizations.keys.retire')}
            </button>
          ) : null}
        </td>
      </tr>
      {confirming ? (
        <ConfirmRow
          columns={5}
          label={t('organizations.keys.retire')}
          explain={t('organizations.keys.retireExplain', { keyId: key.keyId })}
          confirm={t('organizations.keys.retireButton', { keyId: key.keyId })}
          pending={retire.isPending}
          error={retire.error}
          onConfirm={() => retire.mutate()}
          onCancel={() => {
            retire.reset();
            setConfirming(false);
          }}
        />
      ) : null}
    </>
  );
}

function Rotate() {
  const { t } = useI18n();
  const api = useApi();
  const organizer = useOrganizer();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const rotate = useMutation({
    mutationFn: () =>
      api.call((init) =>
        api.ticketing.POST('/v1/organizers/{organizerId}/keys', {
          ...init,
          params: { path: { organizerId: organizer.id } },
        }),
      ),
    onSuccess: () => setConfirming(false),
    onSettled: () => queryClient.invalidateQueries({ queryKey: organizerKey(organizer.id) }),
  });
  return (
    <section aria-labelledby="rotate-title">
      <h2 id="rotate-title">{t('organizations.keys.rotate')}</h2>
      <p>{t('organizations.keys.rotateExplain')}</p>
      {rotate.isSuccess && !confirming ? (
        <Notice>{t('organizations.keys.rotated', { keyId: rotate.data.keyId })}</Notice>
      ) : null}
      <FormFailure error={rotate.error} />
      {confirming ? (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={rotate.isPending}
            onClick={() => rotate.mutate()}
          >
            {t('organizations.keys.rotateConfirm')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button
          type="button"
          onClick={() => {
            rotate.reset();
            setConfirming(true);
          }}
        >
          {t('organizations.keys.rotate')}
        </button>
      )}
    </section>
  );
}
