/** A screen's frame: its title, and what a query shows while loading or after failing. */
import type { UseQueryResult } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { useI18n } from '../i18n.ts';
import { describeError } from '../shell/errors.ts';

export function Page(props: { title: string; actions?: ReactNode; children: ReactNode }) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${props.title} · ${t('app.name')}`;
  }, [props.title, t]);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{props.title}</h1>
        {props.actions ? <div className="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

/** The query's data through `children`, or its loading line, or its failure with a retry. */
export function Loaded<T>(props: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  const { query } = props;
  if (query.isPending) {
    return (
      <p className="loading" role="status">
        {t('common.loading')}
      </p>
    );
  }
  if (query.isError) {
    return (
      <div className="failure" role="alert">
        <p>{describeError(query.error, t)}</p>
        <button type="button" onClick={() => query.refetch()}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  return <>{props.children(query.data)}</>;
}
