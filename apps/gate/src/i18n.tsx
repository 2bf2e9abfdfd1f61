/**
 * Korean and English for the gate. The reasons are worded for the person at the gate: what
 * happened and what to do, from docs/protocol.md section 7. The Korean table is typed against
 * the English one, so a missing translation fails the typecheck. The language follows the
 * browser until someone picks one, which this device remembers.
 */
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';

export type Lang = 'en' | 'ko';

const en = {
  'app.name': 'Tessera Gate',
  'lang.toggle': '한국어',
  'lang.toggleLabel': '(switch to Korean)',
  'nav.label': 'Gate',
  'nav.scan': 'Scan',
  'nav.door': 'Door sale',
  'nav.log': 'Log',
  'nav.end': 'End of event',

  'mode.online': 'ONLINE',
  'mode.offline': 'OFFLINE',
  'mode.onlineHint': 'Each ticket is checked with the server.',
  'mode.offlineHint': 'No server: tickets are checked on this terminal and uploaded later.',
  'status.gate': 'Gate {gate}',
  'status.lastSync': 'Synced {time}',
  'status.neverSynced': 'Not synced yet',
  'status.pending': '{count} to upload',
  'status.outside':
    'Outside the venue: {distance} m from it (limit {radius} m). Admissions are flagged.',
  'status.noPosition': 'No GPS position',
  'status.syncError': 'The last sync had a problem: {message}',
  'status.position': 'GPS ±{accuracy} m',

  'enrol.title': 'Set up this terminal',
  'enrol.intro':
    'A supervisor makes a one-time enrolment code for a gate. Scan its QR code or type it in.',
  'enrol.code': 'Enrolment code',
  'enrol.name': 'Name of this terminal',
  'enrol.defaultName': 'Gate terminal',
  'enrol.submit': 'Enrol',
  'enrol.scan': 'Scan the code with the camera',
  'enrol.working': 'Enrolling and downloading the event…',
  'enrol.devHint': 'Development: `npm start` prints a demo enrolment code.',

  'scan.title': 'Scan tickets',
  'scan.startCamera': 'Start the camera',
  'scan.stopCamera': 'Stop the camera',
  'scan.cameraError': 'The camera could not start: {message}',
  'scan.fps': '{fps} frames/s',
  'scan.direction': 'Direction',
  'scan.entry': 'Entry',
  'scan.exit': 'Exit',
  'scan.debit': 'Amount to debit (stored-value tickets){asset}',
  'scan.debitInvalid': 'Type an amount like 4.5',
  'scan.scannerHint': 'A hardware scanner works anywhere on this screen.',
  'manual.title': 'Type a ticket number',
  'manual.number': 'Ticket number',
  'manual.pin': 'PIN',
  'manual.check': 'Check',
  'manual.checking': 'Checking…',

  'result.admit': 'ADMIT',
  'result.stop': 'STOP',
  'result.exit': 'SCANNED OUT',
  'result.seat': 'Seat {seat}',
  'result.category': '{category}',
  'result.ticket': 'Ticket {number}',
  'result.holder': 'Holder: {name}',
  'result.usesLeft': '{count} uses left',
  'result.valueLeft': '{value} left',
  'result.first': 'First used {time} at gate {gate}',
  'result.firstNoGate': 'First used {time}',
  'result.checkedOffline': 'Checked offline',
  'result.checkedOnline': 'Checked with the server',
  'result.outside': 'Terminal outside the venue: this admission is flagged.',
  'result.next': 'Tap for the next ticket',

  'reason.valid': 'Valid ticket. Let them in.',
  'reason.reentry': 'Valid: coming back in after leaving.',
  'reason.exit': 'The holder may come back in with this ticket.',
  'reason.malformed':
    'Cannot read this code. Scan again; ask for the live ticket with the screen brighter.',
  'reason.forged': 'Not a ticket this gate trusts. Do not admit; call a supervisor.',
  'reason.tampered': 'The ticket was altered. Do not admit; call a supervisor.',
  'reason.wrong_device': 'Copied to another phone. The holder must use the phone the ticket is on.',
  'reason.stale': 'Old barcode (a screenshot?). Ask for the live ticket in the app.',
  'reason.wrong_event': 'Ticket for another event or venue. Send them to the right one.',
  'reason.revoked': 'Refunded, transferred or reissued. Do not admit; send to the box office.',
  'reason.not_yet_valid': 'Not valid yet. Tell them when doors open.',
  'reason.expired': 'This ticket has expired. Send to the box office.',
  'reason.already_used': 'Already used. Do not admit.',
  'reason.entitlement_exhausted': 'No entries or value left on this ticket.',
  'reason.wrong_code': 'Wrong ticket number or PIN. Retype it or ask again.',
  'reason.not_inside': 'They have not come in, so cannot scan out.',
  'reason.no_reentry': 'This ticket does not allow leaving and coming back.',
  'reason.rate_limited': 'Too many wrong codes. Wait ten minutes or scan the barcode.',
  'reason.terminal_revoked': 'This terminal was switched off by a supervisor. Call a supervisor.',
  'reason.no_package': 'No event data on this terminal yet. Connect it to sync.',
  'reason.other': 'Refused: {detail}',

  'door.title': 'Sell at the door',
  'door.performance': 'Performance',
  'door.category': 'Category',
  'door.quantity': 'Tickets',
  'door.offer': '{price} · {left} left',
  'door.sell': 'Show the payment code',
  'door.scanToPay': 'Buyer: scan with the Tessera app and pay from your wallet.',
  'door.price': '{quantity} × {price}',
  'door.expires': 'Expires in {time}',
  'door.waiting': 'Waiting for payment…',
  'door.claimed': 'The buyer is paying…',
  'door.admitted': 'Paid. {count} admitted.',
  'door.expired': 'The payment code expired. Nothing was sold.',
  'door.cancelled': 'Cancelled. Nothing was sold.',
  'door.failed': 'The order was not paid. Nothing was sold.',
  'door.cancel': 'Cancel this sale',
  'door.another': 'Sell another',
  'door.needsOnline': 'Door sales need the server. The terminal is offline.',
  'door.error.sold_out': 'Sold out in this category.',
  'door.error.performance_closed': 'This performance is closed.',
  'door.error.sales_closed': 'Door sales are closed.',

  'log.title': 'Admission log',
  'log.counters': 'Admissions per gate',
  'log.gate': 'Gate',
  'log.entries': 'Entries',
  'log.exits': 'Exits',
  'log.recent': 'Latest decisions on this terminal',
  'log.none': 'Nothing scanned yet.',
  'log.syncNow': 'Sync now',
  'log.pendingNote': '{count} offline admissions wait to be uploaded.',
  'log.manualCodes': '{count} manual codes on this terminal',
  'log.forget': 'Remove this terminal',
  'log.forgetBlocked': 'Upload the waiting admissions first.',
  'log.confirmForget': 'Remove the enrolment and everything this terminal holds?',
  'log.uploaded': 'uploaded',
  'log.duplicateFlag': 'flagged duplicate',

  'end.title': 'End of event',
  'end.intro':
    'Send every admission to the server, then see the reconciliation for this terminal’s performances.',
  'end.run': 'Send everything and show the summary',
  'end.sending': 'Sending…',
  'end.stillPending': '{count} admissions could not be sent. Connect the terminal and try again.',
  'end.sold': 'Tickets sold',
  'end.admitted': 'Admitted',
  'end.noShows': 'No-shows',
  'end.entries': 'Entries',
  'end.exits': 'Exits',
  'end.online': 'Checked online',
  'end.offline': 'Checked offline',
  'end.duplicates': 'Duplicates',
  'end.outside': 'Outside the venue',
  'end.refusals': 'Refused at the gates',
  'end.revenue': 'Revenue',
  'end.generated': 'As of {time}',

  'error.network': 'No connection to the server.',
  'error.unexpected': 'Something went wrong: {message}',
  'error.invalid_code': 'That enrolment code is wrong, used or expired. Ask for a new one.',
  'common.loading': 'Loading…',
  'common.close': 'Close',
};

export type MessageKey = keyof typeof en;

const ko: Record<MessageKey, string> = {
  'app.name': '테세라 게이트',
  'lang.toggle': 'English',
  'lang.toggleLabel': '(영어로 바꾸기)',
  'nav.label': '게이트',
  'nav.scan': '스캔',
  'nav.door': '현장 판매',
  'nav.log': '기록',
  'nav.end': '행사 종료',

  'mode.online': '온라인',
  'mode.offline': '오프라인',
  'mode.onlineHint': '티켓마다 서버에서 확인합니다.',
  'mode.offlineHint': '서버 없음: 이 단말기에서 확인하고 나중에 올립니다.',
  'status.gate': '{gate} 게이트',
  'status.lastSync': '{time} 동기화',
  'status.neverSynced': '아직 동기화 안 됨',
  'status.pending': '올릴 기록 {count}건',
  'status.outside': '공연장 밖: {distance} m 떨어짐 (기준 {radius} m). 입장 기록에 표시됩니다.',
  'status.noPosition': 'GPS 위치 없음',
  'status.syncError': '마지막 동기화에 문제가 있었습니다: {message}',
  'status.position': 'GPS ±{accuracy} m',

  'enrol.title': '단말기 등록',
  'enrol.intro': '관리자가 게이트용 일회용 등록 코드를 만듭니다. QR 코드를 스캔하거나 입력하세요.',
  'enrol.code': '등록 코드',
  'enrol.name': '단말기 이름',
  'enrol.defaultName': '게이트 단말기',
  'enrol.submit': '등록',
  'enrol.scan': '카메라로 코드 스캔',
  'enrol.working': '등록하고 행사 정보를 받는 중…',
  'enrol.devHint': '개발용: `npm start`가 데모 등록 코드를 출력합니다.',

  'scan.title': '티켓 스캔',
  'scan.startCamera': '카메라 켜기',
  'scan.stopCamera': '카메라 끄기',
  'scan.cameraError': '카메라를 켤 수 없습니다: {message}',
  'scan.fps': '초당 {fps}프레임',
  'scan.direction': '방향',
  'scan.entry': '입장',
  'scan.exit': '퇴장',
  'scan.debit': '차감 금액 (충전식 티켓){asset}',
  'scan.debitInvalid': '4.5처럼 금액을 입력하세요',
  'scan.scannerHint': '바코드 스캐너는 이 화면 어디에서나 됩니다.',
  'manual.title': '티켓 번호 입력',
  'manual.number': '티켓 번호',
  'manual.pin': 'PIN',
  'manual.check': '확인',
  'manual.checking': '확인 중…',

  'result.admit': '입장',
  'result.stop': '입장 불가',
  'result.exit': '퇴장 확인',
  'result.seat': '좌석 {seat}',
  'result.category': '{category}',
  'result.ticket': '티켓 {number}',
  'result.holder': '소지자: {name}',
  'result.usesLeft': '남은 횟수 {count}',
  'result.valueLeft': '잔액 {value}',
  'result.first': '{time}에 {gate} 게이트에서 처음 사용',
  'result.firstNoGate': '{time}에 처음 사용',
  'result.checkedOffline': '오프라인 확인',
  'result.checkedOnline': '서버 확인',
  'result.outside': '단말기가 공연장 밖에 있습니다: 이 입장은 표시됩니다.',
  'result.next': '다음 티켓은 화면을 누르세요',

  'reason.valid': '유효한 티켓입니다. 입장시키세요.',
  'reason.reentry': '유효: 나갔다가 다시 들어옵니다.',
  'reason.exit': '이 티켓으로 다시 들어올 수 있습니다.',
  'reason.malformed':
    '코드를 읽을 수 없습니다. 다시 스캔하고, 앱의 실시간 티켓을 밝게 보여 달라고 하세요.',
  'reason.forged': '이 게이트가 믿지 않는 티켓입니다. 입장 불가; 관리자를 부르세요.',
  'reason.tampered': '티켓이 변조되었습니다. 입장 불가; 관리자를 부르세요.',
  'reason.wrong_device':
    '다른 휴대폰으로 복사된 티켓입니다. 티켓이 있는 휴대폰으로 보여 달라고 하세요.',
  'reason.stale': '오래된 바코드(스크린샷?)입니다. 앱의 실시간 티켓을 보여 달라고 하세요.',
  'reason.wrong_event': '다른 행사나 공연장의 티켓입니다. 맞는 곳으로 안내하세요.',
  'reason.revoked': '환불, 양도 또는 재발급된 티켓입니다. 입장 불가; 매표소로 안내하세요.',
  'reason.not_yet_valid': '아직 유효하지 않습니다. 입장 시작 시간을 알려 주세요.',
  'reason.expired': '기간이 지난 티켓입니다. 매표소로 안내하세요.',
  'reason.already_used': '이미 사용한 티켓입니다. 입장 불가.',
  'reason.entitlement_exhausted': '남은 횟수나 잔액이 없습니다.',
  'reason.wrong_code': '티켓 번호나 PIN이 틀립니다. 다시 입력하거나 다시 물어보세요.',
  'reason.not_inside': '입장하지 않아 퇴장 처리할 수 없습니다.',
  'reason.no_reentry': '이 티켓은 재입장이 안 됩니다.',
  'reason.rate_limited': '틀린 코드가 너무 많습니다. 10분 기다리거나 바코드를 스캔하세요.',
  'reason.terminal_revoked': '관리자가 이 단말기를 해지했습니다. 관리자를 부르세요.',
  'reason.no_package': '이 단말기에 행사 정보가 없습니다. 연결해서 동기화하세요.',
  'reason.other': '거절: {detail}',

  'door.title': '현장 판매',
  'door.performance': '공연',
  'door.category': '등급',
  'door.quantity': '매수',
  'door.offer': '{price} · {left}매 남음',
  'door.sell': '결제 코드 보이기',
  'door.scanToPay': '구매자: 테세라 앱으로 스캔하고 지갑에서 결제하세요.',
  'door.price': '{quantity} × {price}',
  'door.expires': '{time} 후 만료',
  'door.waiting': '결제를 기다리는 중…',
  'door.claimed': '구매자가 결제하는 중…',
  'door.admitted': '결제 완료. {count}명 입장.',
  'door.expired': '결제 코드가 만료되었습니다. 판매되지 않았습니다.',
  'door.cancelled': '취소되었습니다. 판매되지 않았습니다.',
  'door.failed': '주문이 결제되지 않았습니다. 판매되지 않았습니다.',
  'door.cancel': '이 판매 취소',
  'door.another': '다시 판매',
  'door.needsOnline': '현장 판매는 서버가 필요합니다. 단말기가 오프라인입니다.',
  'door.error.sold_out': '이 등급은 매진입니다.',
  'door.error.performance_closed': '이 공연은 종료되었습니다.',
  'door.error.sales_closed': '현장 판매가 마감되었습니다.',

  'log.title': '입장 기록',
  'log.counters': '게이트별 입장',
  'log.gate': '게이트',
  'log.entries': '입장',
  'log.exits': '퇴장',
  'log.recent': '이 단말기의 최근 판정',
  'log.none': '아직 스캔한 티켓이 없습니다.',
  'log.syncNow': '지금 동기화',
  'log.pendingNote': '오프라인 입장 {count}건이 올라가기를 기다립니다.',
  'log.manualCodes': '이 단말기의 수동 코드 {count}개',
  'log.forget': '이 단말기 등록 해제',
  'log.forgetBlocked': '기다리는 입장 기록을 먼저 올리세요.',
  'log.confirmForget': '등록과 이 단말기의 모든 정보를 지울까요?',
  'log.uploaded': '업로드됨',
  'log.duplicateFlag': '중복 표시',

  'end.title': '행사 종료',
  'end.intro': '모든 입장 기록을 서버로 보낸 뒤 이 단말기 공연의 정산 요약을 봅니다.',
  'end.run': '모두 보내고 요약 보기',
  'end.sending': '보내는 중…',
  'end.stillPending': '입장 기록 {count}건을 보내지 못했습니다. 연결한 뒤 다시 하세요.',
  'end.sold': '판매된 티켓',
  'end.admitted': '입장',
  'end.noShows': '미입장',
  'end.entries': '입장 기록',
  'end.exits': '퇴장 기록',
  'end.online': '온라인 확인',
  'end.offline': '오프라인 확인',
  'end.duplicates': '중복',
  'end.outside': '공연장 밖',
  'end.refusals': '게이트에서 거절',
  'end.revenue': '매출',
  'end.generated': '{time} 기준',

  'error.network': '서버에 연결할 수 없습니다.',
  'error.unexpected': '문제가 생겼습니다: {message}',
  'error.invalid_code': '등록 코드가 틀렸거나 사용되었거나 만료되었습니다. 새 코드를 받으세요.',
  'common.loading': '불러오는 중…',
  'common.close': '닫기',
};

const tables: Record<Lang, Record<MessageKey, string>> = { en, ko };
const localeOf: Record<Lang, string> = { en: 'en-GB', ko: 'ko-KR' };
const storageKey = 'tessera-gate-lang';

export type Params = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  return tables[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The words for a decision's reason; unknown reasons say the server's own detail. */
export function reasonKey(reason: string): MessageKey | undefined {
  const key = `reason.${reason}`;
  return key in en ? (key as MessageKey) : undefined;
}

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'en' || saved === 'ko') return saved;
  } catch {
    // Storage off: follow the browser.
  }
  return navigator.languages?.some((language) => language.toLowerCase().startsWith('ko'))
    ? 'ko'
    : 'en';
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, params?: Params): string;
  time(iso: string): string;
  dateTime(iso: string): string;
}

const I18nContext = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<I18n>(() => {
    document.documentElement.lang = lang;
    const time = new Intl.DateTimeFormat(localeOf[lang], { timeStyle: 'medium' });
    const dateTime = new Intl.DateTimeFormat(localeOf[lang], {
      dateStyle: 'short',
      timeStyle: 'medium',
    });
    return {
      lang,
      setLang(next) {
        try {
          localStorage.setItem(storageKey, next);
        } catch {
          // Switched for this visit all the same.
        }
        setLangState(next);
      },
      t: (key, params) => translate(lang, key, params),
      time: (iso) => time.format(new Date(iso)),
      dateTime: (iso) => dateTime.format(new Date(iso)),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
