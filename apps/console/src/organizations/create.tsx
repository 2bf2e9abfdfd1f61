/** Create an organization: the signed-in person becomes its owner. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { useLocation } from 'wouter';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { organizerPath } from '../shell/routes.ts';
import { Field, FormFailure } from '../ui/form.tsx';
import { Page } from '../ui/page.tsx';

export default function CreateOrganization() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const form = useForm<{ name: string }>({ defaultValues: { name: '' } });
  const create = useMutation({
    mutationFn: (name: string) =>
      api.call((init) => api.ticketing.POST('/v1/organizers', { ...init, body: { name } })),
    onSuccess: async (organizer) => {
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      navigate(organizerPath(organizer.id));
    },
  });
  const submit = form.handleSubmit(({ name }) =>
    create.mutateAsync(name.trim()).catch(() => undefined),
  );
  return (
    <Page title={t('organizations.create')}>
      <p>{t('organizations.createdOwner')}</p>
      <form onSubmit={submit} noValidate>
        <Field
          label={t('organizations.name')}
          error={form.formState.errors.name}
          hint={t('organizations.nameHint')}
        >
          <input
            autoComplete="organization"
            {...form.register('name', {
              validate: (value) => value.trim().length > 0 || t('common.required'),
              maxLength: { value: 100, message: t('organizations.nameTooLong') },
            })}
          />
        </Field>
        <FormFailure error={create.error} />
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('organizations.create')}
        </button>
      </form>
    </Page>
  );
}
