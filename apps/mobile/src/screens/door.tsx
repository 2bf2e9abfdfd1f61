/**
 * A door sale (unit 404), opened from the QR code a gate terminal shows (`/door/<id>?t=<token>`):
 * what the gate offers, then, signed in, one tap claims it as an ordinary order for this phone's
 * device key, and the order screen pays it from the wallet. Once paid, the tickets arrive here
 * and the gate admits them by itself.
 */
import { useCallback, useState } from 'react';
import { useApis, useApp } from '../app-state.tsx';
import {
  Loading,
  Message,
  NeedsOnline,
  NeedsSession,
  PayWith,
  ScreenTitle,
} from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { navigate, useLocation } from '../router.tsx';
import { useLoad } from '../use-load.ts';

export default function DoorSaleScreen({ doorSaleId }: { doorSaleId: string }) {
  const { t } = useI18n();
  return (
    <NeedsOnline>
      <NeedsSession reason={t('door.signInFirst')}>
        <DoorSaleView doorSaleId={doorSaleId} />
      </NeedsSession>
    </NeedsOnline>
  );
}

function DoorSaleView({ doorSaleId }: { doorSaleId: string }) {
  const { ticketing, exchange } = useApis();
  const { session, ensureDevice, failure } = useApp();
  const { t, fmt } = useI18n();
  const token = useLocation().search.get('t') ?? '';
  const load = useCallback(
    () => ticketing.doorSale(session?.token ?? '', doorSaleId, token),
    [ticketing, session, doorSaleId, token],
  );
  const { value: sale, error } = useLoad(load);
  const loadAssets = useCallback(() => exchange.assets(), [exchange]);
  const assets = useLoad(loadAssets, 'exchange');
  // A fiat-priced sale is paid in the crypto asset picked here, at the exchange's quote.
  const [asset, setAsset] = useState('USDT');
  const [busy, setBusy] = useState(false);
  const [claimError, setClaimError] = useState<string>();

  const claim = async () => {
    if (!session || !sale) return;
    setBusy(true);
    setClaimError(undefined);
    try {
      const device = await ensureDevice();
      if (!device.deviceId) throw new Error(t('account.deviceNotRegistered'));
      const order = await ticketing.claimDoorSale(session.token, doorSaleId, {
        token,
        deviceId: device.deviceId,
        ...('fiat' in sale.price ? { asset } : {}),
      });
      navigate(`/orders/${order.id}`, { replace: true });
    } catch (e) {
      setBusy(false);
      setClaimError(failure(e));
    }
  };

  if (error) return <Message kind="error">{error}</Message>;
  if (!sale) return <Loading />;
  const unit = 'asset' in sale.price ? sale.price.asset : sale.price.fiat;
  const open = sale.status === 'open' || (sale.status === 'claimed' && sale.orderId !== null);
  return (
    <>
      <ScreenTitle>{t('door.title')}</ScreenTitle>
      <div className="card">
        <p>
          <strong>{sale.event.name}</strong>
          <br />
          {sale.venue} · {fmt.dateTime(sale.startsAt, sale.timeZone)}
        </p>
        <p>
          {t('door.offer', {
            quantity: sale.quantity,
            category: sale.category,
            price: fmt.money(sale.price.amount, unit),
          })}
        </p>
      </div>
      {sale.orderId && sale.status === 'claimed' ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => navigate(`/orders/${sale.orderId}`)}
        >
          {t('door.toOrder')}
        </button>
      ) : open ? (
        <>
          {'fiat' in sale.price && (
            <PayWith assets={assets.value?.assets} value={asset} onChange={setAsset} />
          )}
          <button type="button" className="button button-primary" onClick={claim} disabled={busy}>
            {t('door.claim')}
          </button>
        </>
      ) : (
        <Message kind="warning">{t('door.closed')}</Message>
      )}
      {claimError && <Message kind="error">{claimError}</Message>}
    </>
  );
}
