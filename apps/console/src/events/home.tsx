/** Scaffold: the events feature's first screen. */
import { useI18n } from '../i18n.ts';
import { Page } from '../ui/page.tsx';

export default function Home() {
  const { t } = useI18n();
  return <Page title={t('events.title')}>{null}</Page>;
}
