/** The shell's words: sign-in, navigation, errors, the shared form pieces. */

export const en = {
  'app.name': 'Tessera console',
  'nav.signOut': 'Sign out',
  'nav.organizations': 'Organizations',
  'nav.language': 'Language',
  'common.loading': 'Loading…',
  'common.save': 'Save',
  'common.saved': 'Saved.',
  'common.cancel': 'Cancel',
  'common.retry': 'Try again',
  'common.required': 'Required.',
  'common.back': 'Back',
  'common.confirm': 'Confirm',
  'common.none': 'None yet.',
  'signIn.title': 'Sign in to the console',
  'signIn.intro':
    'Organizers and their staff sign in with their phone number and a code sent by SMS.',
  'signIn.phone': 'Phone number',
  'signIn.badPhone': 'Enter a phone number such as 010-1234-5678 or +82 10 1234 5678.',
  'signIn.send': 'Send code',
  'signIn.code': '6-digit code',
  'signIn.badCode': 'The code is 6 digits.',
  'signIn.signIn': 'Sign in',
  'signIn.sentTo': 'A code was sent to {phone}.',
  'signIn.devInbox': 'Development servers: the code is in the SMS inbox at {url}.',
  'signIn.otherNumber': 'Use another number',
  'error.unexpected': 'Something went wrong: {message}',
  'error.network': 'No answer from the server. Check the connection and try again.',
  'error.timeout': 'The server took too long to answer. Try again.',
  'error.waitSeconds': 'Too many tries. Wait {seconds} seconds.',
  'error.waitMinutes': 'Too many tries. Wait {minutes} minutes.',
  'error.invalid_code': 'The code is wrong or has expired. Ask for a new one.',
  'error.invalid_argument': 'Something in the form is not right; check the fields.',
  'error.not_found': 'That no longer exists, or you may not see it.',
  'error.forbidden': 'Your role at this organization may not do that.',
  'error.unauthenticated': 'Your session has ended. Sign in again.',
  'error.database_unavailable':
    'The server cannot reach its database right now. Try again in a minute.',
  'error.storage_full': 'The server is out of disk space. Tell the operator.',
  'error.try_again': 'The server was busy. Try again.',
  'error.rate_limited': 'Too many tries. Wait a little and try again.',
  'error.too_many_wrong_codes': 'Too many wrong codes. Ask for a new one.',
  'error.last_owner':
    'An organization must keep at least one owner. Make someone else owner first.',
  'error.last_key': 'The only active signing key cannot be retired. Rotate first to add a new one.',
  'error.account_exists':
    'This number already has an account of that kind at the exchange. Sign in with it instead.',
  'error.account_suspended':
    'This account is suspended at the exchange. Contact the exchange to lift it.',
  'error.bad_request':
    'The server could not read what was sent ({message}). Reload the page and try again.',
  'error.category_in_use':
    'Tickets have been sold in this category, so it cannot be removed or change its kind. Close its sales instead.',
  'error.close_reason_required':
    'Some gates may still hold admissions they have not sent. Say why you are closing anyway.',
  'error.duplicate_category':
    'Two categories have the same name. Give each its own name: {message}',
  'error.event_cancelled': 'This event is cancelled, so it cannot change any more.',
  'error.exchange_error': 'The exchange refused the request: {message}',
  'error.exchange_unavailable': 'The exchange is not answering right now. Try again in a minute.',
  'error.fully_refunded': 'This payment has already been refunded in full.',
  'error.webhook_address':
    "The exchange refused the ticketing server's address for payment notices ({message}). Tell the server's operator.",
  'error.insufficient_funds':
    "The organization's wallet does not hold enough to pay this. Add funds to the merchant wallet at the exchange, then try again.",
  'error.internal_error':
    'The server failed unexpectedly. Try again; if it keeps happening, tell the operator.',
  'error.invalid_api_key':
    'The exchange does not accept the key. Sign in at the exchange and link the wallet again.',
  'error.invalid_category': 'A ticket category is not right: {message}',
  'error.invalid_cursor': 'The list changed while you were paging through it. Reload it.',
  'error.invalid_event': 'The event is not right: {message}',
  'error.invalid_limits': 'The limit per order cannot be more than the limit per buyer.',
  'error.invalid_performance': 'A performance is not right: {message}',
  'error.invalid_performances': "Choose only this organization's performances at this venue.",
  'error.invalid_request': 'Something in the form is not right: {message}',
  'error.invalid_seat_map': 'The seat map is not right: {message}',
  'error.invalid_text': 'A text holds characters that cannot be stored: {message}',
  'error.invalid_ticket_terms': 'The ticket wording or terms are not right: {message}',
  'error.invalid_time_zone':
    'That time zone is unknown. Pick one from the list, such as Asia/Seoul.',
  'error.no_payment':
    'This order has no payment on record, so it cannot be refunded here. Tell the operator.',
  'error.not_a_merchant':
    'That exchange account is a personal one. Sign in with the number of a merchant account.',
  'error.not_paid': 'This payment was never completed, so there is nothing to refund.',
  'error.organizer_signup_closed':
    'On this server, organizations are created by the platform operator. Ask them to create yours.',
  'error.performance_cancelled': 'This performance is cancelled.',
  'error.performance_closed': 'This performance is closed. Refund its tickets one by one instead.',
  'error.performance_in_use':
    'Tickets have been sold for this performance, so it cannot be removed or moved. Cancel it instead, which refunds them.',
  'error.performance_not_started': 'This performance has not started yet, so it cannot be closed.',
  'error.quota_below_sales':
    'More tickets have already been sold than this quota. Raise it to at least what is sold.',
  'error.refund_exceeds_payment': 'The refunds would add up to more than was paid.',
  'error.seat_map_in_use':
    'Events use this seat map, so it cannot change. Make a new venue layout for a different map.',
  'error.slug_mismatch':
    "The event's web name differs between the address and the form. Reload and try again.",
  'error.ticket_cancelled':
    'This ticket was cancelled with its performance and already refunded then.',
  'error.ticket_changed':
    'This ticket changed meanwhile (refunded or transferred). Look at it again.',
  'error.too_many_categories': 'This event has too many ticket categories. Remove some.',
  'error.unknown_asset': 'The exchange has no such asset. Pick one it lists: {message}',
  'error.unknown_category':
    "That category is not one of this event's (was it just removed?). Reload and choose again: {message}",
  'error.wallet_not_linked':
    "Link the organization's wallet (the Wallet screen) before publishing or refunding.",
} as const;

export const ko: Record<keyof typeof en, string> = {
  'app.name': 'Tessera 콘솔',
  'nav.signOut': '로그아웃',
  'nav.organizations': '조직',
  'nav.language': '언어',
  'common.loading': '불러오는 중…',
  'common.save': '저장',
  'common.saved': '저장했습니다.',
  'common.cancel': '취소',
  'common.retry': '다시 시도',
  'common.required': '필수 항목입니다.',
  'common.back': '뒤로',
  'common.confirm': '확인',
  'common.none': '아직 없습니다.',
  'signIn.title': '콘솔 로그인',
  'signIn.intro': '주최자와 스태프는 휴대폰 번호와 문자로 받은 코드로 로그인합니다.',
  'signIn.phone': '휴대폰 번호',
  'signIn.badPhone': '010-1234-5678 또는 +82 10 1234 5678처럼 입력하세요.',
  'signIn.send': '코드 받기',
  'signIn.code': '6자리 코드',
  'signIn.badCode': '코드는 6자리 숫자입니다.',
  'signIn.signIn': '로그인',
  'signIn.sentTo': '{phone}(으)로 코드를 보냈습니다.',
  'signIn.devInbox': '개발 서버: 코드는 {url}의 문자함에 있습니다.',
  'signIn.otherNumber': '다른 번호 사용',
  'error.unexpected': '문제가 생겼습니다: {message}',
  'error.network': '서버가 답하지 않습니다. 연결을 확인하고 다시 해 보세요.',
  'error.timeout': '서버의 답이 너무 늦습니다. 다시 해 보세요.',
  'error.waitSeconds': '시도가 너무 많습니다. {seconds}초 기다리세요.',
  'error.waitMinutes': '시도가 너무 많습니다. {minutes}분 기다리세요.',
  'error.invalid_code': '코드가 틀렸거나 만료되었습니다. 새 코드를 받으세요.',
  'error.invalid_argument': '입력한 내용에 맞지 않는 곳이 있습니다. 항목을 확인하세요.',
  'error.not_found': '더 이상 없거나 볼 수 없는 항목입니다.',
  'error.forbidden': '이 조직에서 맡은 역할로는 할 수 없는 일입니다.',
  'error.unauthenticated': '로그인이 끝났습니다. 다시 로그인하세요.',
  'error.database_unavailable':
    '서버가 지금 데이터베이스에 연결하지 못합니다. 잠시 후 다시 해 보세요.',
  'error.storage_full': '서버의 디스크가 가득 찼습니다. 운영자에게 알리세요.',
  'error.try_again': '서버가 바빴습니다. 다시 해 보세요.',
  'error.rate_limited': '시도가 너무 많습니다. 잠시 후 다시 해 보세요.',
  'error.too_many_wrong_codes': '틀린 코드가 너무 많습니다. 새 코드를 받으세요.',
  'error.last_owner':
    '조직에는 소유자가 한 명 이상 있어야 합니다. 먼저 다른 사람을 소유자로 지정하세요.',
  'error.last_key':
    '하나뿐인 활성 서명 키는 폐기할 수 없습니다. 먼저 키를 교체해 새 키를 추가하세요.',
  'error.account_exists':
    '이 번호로 된 같은 종류의 계정이 거래소에 이미 있습니다. 그 계정으로 로그인하세요.',
  'error.account_suspended': '이 계정은 거래소에서 정지되었습니다. 거래소에 문의하세요.',
  'error.bad_request':
    '서버가 보낸 내용을 읽지 못했습니다({message}). 페이지를 새로 고치고 다시 해 보세요.',
  'error.category_in_use':
    '이 등급은 이미 티켓이 팔려 삭제하거나 종류를 바꿀 수 없습니다. 대신 판매를 마감하세요.',
  'error.close_reason_required':
    '아직 보내지 않은 입장 기록이 남아 있을 수 있는 게이트가 있습니다. 그래도 마감하는 이유를 적어 주세요.',
  'error.duplicate_category':
    '이름이 같은 등급이 둘 있습니다. 등급마다 다른 이름을 쓰세요: {message}',
  'error.event_cancelled': '취소된 이벤트라 더 바꿀 수 없습니다.',
  'error.exchange_error': '거래소가 요청을 거절했습니다: {message}',
  'error.exchange_unavailable': '거래소가 지금 응답하지 않습니다. 잠시 후 다시 해 보세요.',
  'error.fully_refunded': '이 결제는 이미 전액 환불되었습니다.',
  'error.webhook_address':
    '거래소가 결제 알림을 받을 티켓 서버 주소를 거절했습니다({message}). 서버 운영자에게 알리세요.',
  'error.insufficient_funds':
    '조직 지갑의 잔액이 부족합니다. 거래소의 가맹점 지갑에 금액을 채운 뒤 다시 해 보세요.',
  'error.internal_error':
    '서버에 예기치 않은 문제가 생겼습니다. 다시 해 보고, 계속되면 운영자에게 알리세요.',
  'error.invalid_api_key':
    '거래소가 키를 받아들이지 않습니다. 거래소에 로그인해 지갑을 다시 연결하세요.',
  'error.invalid_category': '티켓 등급에 맞지 않는 곳이 있습니다: {message}',
  'error.invalid_cursor': '목록을 넘기는 동안 목록이 바뀌었습니다. 다시 불러오세요.',
  'error.invalid_event': '이벤트에 맞지 않는 곳이 있습니다: {message}',
  'error.invalid_limits': '주문당 한도는 구매자당 한도보다 클 수 없습니다.',
  'error.invalid_performance': '회차에 맞지 않는 곳이 있습니다: {message}',
  'error.invalid_performances': '이 조직의 이 공연장 회차만 고르세요.',
  'error.invalid_request': '입력한 내용에 맞지 않는 곳이 있습니다: {message}',
  'error.invalid_seat_map': '좌석 배치도에 맞지 않는 곳이 있습니다: {message}',
  'error.invalid_text': '저장할 수 없는 문자가 들어 있습니다: {message}',
  'error.invalid_ticket_terms': '티켓 문구나 조건에 맞지 않는 곳이 있습니다: {message}',
  'error.invalid_time_zone': '알 수 없는 시간대입니다. Asia/Seoul처럼 목록에 있는 것을 고르세요.',
  'error.no_payment':
    '이 주문에는 결제 기록이 없어 여기서 환불할 수 없습니다. 운영자에게 알리세요.',
  'error.not_a_merchant': '그 거래소 계정은 개인 계정입니다. 가맹점 계정의 번호로 로그인하세요.',
  'error.not_paid': '결제가 끝나지 않아 환불할 것이 없습니다.',
  'error.organizer_signup_closed':
    '이 서버에서는 플랫폼 운영자가 조직을 만듭니다. 운영자에게 요청하세요.',
  'error.performance_cancelled': '취소된 회차입니다.',
  'error.performance_closed': '마감된 회차입니다. 티켓을 한 장씩 환불하세요.',
  'error.performance_in_use':
    '이 회차는 티켓이 팔려 삭제하거나 옮길 수 없습니다. 대신 회차를 취소하면 환불됩니다.',
  'error.performance_not_started': '아직 시작하지 않은 회차라 마감할 수 없습니다.',
  'error.quota_below_sales':
    '이 수량보다 많은 티켓이 이미 팔렸습니다. 판매된 수 이상으로 늘리세요.',
  'error.refund_exceeds_payment': '환불 합계가 결제 금액보다 많아집니다.',
  'error.seat_map_in_use':
    '이벤트가 이 좌석 배치도를 쓰고 있어 바꿀 수 없습니다. 다른 배치도는 새로 만드세요.',
  'error.slug_mismatch': '주소와 양식의 이벤트 웹 이름이 다릅니다. 새로 고치고 다시 해 보세요.',
  'error.ticket_cancelled': '회차 취소와 함께 취소되어 이미 환불된 티켓입니다.',
  'error.ticket_changed': '그 사이 티켓이 바뀌었습니다(환불 또는 양도). 다시 확인하세요.',
  'error.too_many_categories': '이 이벤트의 티켓 등급이 너무 많습니다. 몇 개를 지우세요.',
  'error.unknown_asset': '거래소에 없는 자산입니다. 거래소가 다루는 자산을 고르세요: {message}',
  'error.unknown_category':
    '이 행사의 등급이 아닙니다(방금 삭제되었나요?). 새로 고친 뒤 다시 고르세요: {message}',
  'error.wallet_not_linked': '공개하거나 환불하기 전에 조직의 지갑을 연결하세요(지갑 화면).',
};
