/** The gates screen: make enrolment codes, and look after the terminals that enrolled. */
import { useI18n } from '../i18n.ts';
import { Page } from '../ui/page.tsx';
import { EnrolTerminal } from './enrol.tsx';
import { Terminals } from './terminals.tsx';

export default function GatesScreen() {
  const { t } = useI18n();
  return (
    <Page title={t('gates.title')}>
      <EnrolTerminal />
      <Terminals />
    </Page>
  );
}
