/**
 * The account: who is signed in, this device's key (what it is, that it cannot leave the device,
 * how to recover from losing it), the wallet connection, the language, installing the app, and
 * signing out.
 */

import { displayPhone } from '@tessera/web-kit/phone';
import { useApp } from '../app-state.tsx';
import { Message, NeedsSession, ScreenTitle } from '../components.tsx';
import { type Lang, useI18n } from '../i18n.ts';
import { keyFingerprint } from '../identity.ts';
import { useInstallPrompt } from '../install.ts';
import { navigate } from '../router.tsx';

export default function AccountScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('account.title')}</ScreenTitle>
      <Language />
      <NeedsSession>
        <Account />
      </NeedsSession>
      <Install />
    </>
  );
}

function Language() {
  const { t, lang, setLang } = useI18n();
  return (
    <section className="card">
      <label className="field">
        <span>{t('lang.label')}</span>
        <select value={lang} onChange={(event) => setLang(event.target.value as Lang)}>
          <option value="ko" lang="ko">
            한국어
          </option>
          <option value="en" lang="en">
            English
          </option>
        </select>
      </label>
    </section>
  );
}

function Account() {
  const { session, device, wallet, setWallet, signOut, notify } = useApp();
  const { t } = useI18n();
  if (!session) return null;
  return (
    <>
      <section className="card" aria-labelledby="me">
        <h2 id="me">{t('account.phone', { phone: displayPhone(session.phone) })}</h2>
      </section>
      <section className="card" aria-labelledby="device">
        <h2 id="device">{t('account.device')}</h2>
        {device ? (
          <>
            <p>{t('account.deviceKey', { fingerprint: keyFingerprint(device.publicKey) })}</p>
            <p className="hint">
              {device.deviceId
                ? t('account.deviceId', { id: device.deviceId })
                : t('account.deviceNotRegistered')}
            </p>
          </>
        ) : (
          <Message kind="warning">{t('account.deviceNotRegistered')}</Message>
        )}
        <p className="hint">{t('account.lostKey')}</p>
      </section>
      <section className="card" aria-labelledby="wallet-link">
        <h2 id="wallet-link">{t('account.wallet')}</h2>
        <p>
          {wallet
            ? t('account.walletConnected', { phone: displayPhone(wallet.phone) })
            : t('account.walletNone')}
        </p>
        {wallet && (
          <button type="button" className="button" onClick={() => void setWallet(undefined)}>
            {t('wallet.disconnect')}
          </button>
        )}
      </section>
      <button
        type="button"
        className="button"
        onClick={async () => {
          await signOut();
          notify(t('account.signedOut'));
          navigate('/');
        }}
      >
        {t('account.signOut')}
      </button>
    </>
  );
}

function Install() {
  const { t } = useI18n();
  const prompt = useInstallPrompt();
  if (!prompt) return null;
  return (
    <section className="card">
      <p>{t('account.installHint')}</p>
      <button type="button" className="button button-primary" onClick={() => void prompt.prompt()}>
        {t('account.install')}
      </button>
    </section>
  );
}
