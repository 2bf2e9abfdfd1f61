/** The organization screens' words: picking and creating one, staff, wallet, keys. */

export const en = {
  'organizations.pick': 'Your organizations',
  'organizations.create': 'Create an organization',
  'organizations.noneYet':
    'You do not work for an organization yet. Create one, or ask its owner to add your number as staff.',
  'organizations.name': 'Name',
  'organizations.nameHint': 'As buyers will see it on their tickets.',
  'organizations.nameTooLong': 'At most 100 characters.',
  'organizations.createdOwner': 'You will be its owner: you can add staff and link its wallet.',
  'organizations.role.owner': 'Owner',
  'organizations.role.manager': 'Manager',
  'organizations.role.box_office': 'Box office',
  'organizations.role.gate': 'Gate staff',
  'organizations.roleSummary.owner':
    'Everything: staff and roles, the wallet, signing keys, venues and events, refunds, sales, selling and admitting.',
  'organizations.roleSummary.manager':
    'Venues and events, refunds, sales figures, selling and admitting; not staff, the wallet or keys.',
  'organizations.roleSummary.box_office':
    'Sees sales and sells at the door; cannot change events or refund.',
  'organizations.roleSummary.gate': 'Admits ticket holders at the gates; sees the events.',
  'organizations.staff.title': 'Staff',
  'organizations.staff.phone': 'Phone number',
  'organizations.staff.name': 'Name',
  'organizations.staff.role': 'Role',
  'organizations.staff.since': 'Since',
  'organizations.staff.actions': 'Actions',
  'organizations.staff.you': '(you)',
  'organizations.staff.roleOf': 'Role of {phone}',
  'organizations.staff.invite': 'Add a staff member',
  'organizations.staff.invitePhone': 'Their phone number',
  'organizations.staff.invitePhoneHint':
    'They sign in to the console with this number and find the organization there. A number already on staff gets the new role.',
  'organizations.staff.inviteButton': 'Add to staff',
  'organizations.staff.added': '{phone} is on staff as {role}. They sign in with that number.',
  'organizations.staff.remove': 'Remove',
  'organizations.staff.removeConfirm':
    'Remove {phone} from the staff? They lose access to this organization at once.',
  'organizations.staff.removeSelf':
    'Remove yourself from the staff? You lose access to this organization at once.',
  'organizations.staff.removeButton': 'Remove {phone}',
  'organizations.staff.rolesTitle': 'What each role may do',
  'organizations.wallet.title': 'Wallet',
  'organizations.wallet.intro':
    "Buyers pay into the organization's merchant wallet at the exchange, and refunds are paid from it. Publishing an event needs a linked wallet.",
  'organizations.wallet.linked': 'Linked wallet',
  'organizations.wallet.linkedNow': 'The wallet is linked.',
  'organizations.wallet.notLinked': 'No wallet is linked yet.',
  'organizations.wallet.merchant': 'Merchant account',
  'organizations.wallet.merchantId': 'Merchant id',
  'organizations.wallet.since': 'Linked since',
  'organizations.wallet.linkTitle': 'Link the wallet',
  'organizations.wallet.relinkTitle': 'Link another wallet',
  'organizations.wallet.linkExplain':
    'Sign in at the exchange with the phone number of its merchant account; the console then gives the ticketing server a key to that wallet.',
  'organizations.wallet.relinkExplain':
    'Linking again replaces the link to {merchant}: new payments and refunds then go through the wallet you sign in to now.',
  'organizations.wallet.link': 'Link the wallet',
  'organizations.wallet.relink': 'Link another wallet',
  'organizations.wallet.exchangeSignIn': 'Sign in at the exchange',
  'organizations.wallet.merchantPhone': 'Phone number of the merchant account',
  'organizations.wallet.merchantPhoneHint':
    'The exchange sends its own code to this number. It is yours unless the wallet is held under another number.',
  'organizations.wallet.merchantName': 'Name of a new merchant account',
  'organizations.wallet.merchantNameHint':
    'Used only if this number has no merchant account at the exchange yet: one is opened with this name.',
  'organizations.wallet.nameTooLong': 'At most {max} characters.',
  'organizations.wallet.sendCode': 'Send the exchange code',
  'organizations.wallet.codeSent': 'The exchange sent a code to {phone}.',
  'organizations.wallet.devInbox': 'Development servers: the code is in the SMS inbox at {url}.',
  'organizations.wallet.linkSteps':
    'With this code the console signs in to the merchant account of this number at the exchange (opening one named "{name}" if there is none), makes an API key named "Tessera console {organization}" and gives it to the ticketing server. The key is never shown or kept in this browser.',
  'organizations.wallet.balancesSteps':
    'With this code the console signs in to the merchant account at the exchange to read its balances.',
  'organizations.wallet.signInAndLink': 'Sign in and link',
  'organizations.wallet.signIn': 'Sign in',
  'organizations.wallet.noMerchantAccount':
    'This number has no merchant account at the exchange. Use the number of the linked wallet.',
  'organizations.wallet.balances': 'Balances',
  'organizations.wallet.balancesNeedSignIn':
    'The balances are read from the exchange with its own sign-in, kept only while this tab is open.',
  'organizations.wallet.signInForBalances': 'Sign in at the exchange to see balances',
  'organizations.wallet.asset': 'Asset',
  'organizations.wallet.amount': 'Amount',
  'organizations.wallet.value': 'Value in {fiat}',
  'organizations.wallet.rate': 'Rate',
  'organizations.wallet.noRate': 'No rate yet',
  'organizations.wallet.exchangeSignOut': 'Sign out of the exchange',
  'organizations.keys.title': 'Signing keys',
  'organizations.keys.intro':
    'Every ticket is signed with one of these keys, and gates check the signature against the active ones.',
  'organizations.keys.keyId': 'Key id',
  'organizations.keys.status': 'Status',
  'organizations.keys.created': 'Created',
  'organizations.keys.retired': 'Retired',
  'organizations.keys.statusActive': 'Active',
  'organizations.keys.statusRetired': 'Retired',
  'organizations.keys.lastKey':
    'The only active key cannot be retired: rotate first to add a new one.',
  'organizations.keys.rotate': 'Rotate the signing key',
  'organizations.keys.rotateExplain':
    'Rotating adds a new key that signs every new ticket from now on; tickets already in hand stay valid, because the older keys stay active until you retire them.',
  'organizations.keys.rotateConfirm': 'Add a new key',
  'organizations.keys.rotated': 'New key {keyId} added; new tickets are signed with it.',
  'organizations.keys.retire': 'Retire',
  'organizations.keys.retireExplain':
    'Retiring key {keyId} makes gates refuse every ticket it signed (at once online, offline after their next package refresh); the server does not re-sign them, so only tickets reissued or transferred afterwards get in.',
  'organizations.keys.retireButton': 'Retire key {keyId}',
} as const;

export const ko: Record<keyof typeof en, string> = {
  'organizations.pick': '내 조직',
  'organizations.create': '조직 만들기',
  'organizations.noneYet':
    '아직 속한 조직이 없습니다. 조직을 만들거나, 조직의 소유자에게 내 번호를 스태프로 추가해 달라고 하세요.',
  'organizations.name': '이름',
  'organizations.nameHint': '구매자의 티켓에 보이는 이름입니다.',
  'organizations.nameTooLong': '100자 이하로 입력하세요.',
  'organizations.createdOwner': '내가 소유자가 되어 스태프를 추가하고 지갑을 연결할 수 있습니다.',
  'organizations.role.owner': '소유자',
  'organizations.role.manager': '매니저',
  'organizations.role.box_office': '매표소',
  'organizations.role.gate': '입장 스태프',
  'organizations.roleSummary.owner':
    '모든 일: 스태프와 역할, 지갑, 서명 키, 공연장과 이벤트, 환불, 판매 현황, 판매와 입장.',
  'organizations.roleSummary.manager':
    '공연장과 이벤트, 환불, 판매 현황, 판매와 입장. 스태프, 지갑, 키는 다룰 수 없습니다.',
  'organizations.roleSummary.box_office':
    '판매 현황을 보고 현장에서 판매합니다. 이벤트 변경과 환불은 할 수 없습니다.',
  'organizations.roleSummary.gate': '입구에서 티켓 소지자를 입장시키고 이벤트를 봅니다.',
  'organizations.staff.title': '스태프',
  'organizations.staff.phone': '휴대폰 번호',
  'organizations.staff.name': '이름',
  'organizations.staff.role': '역할',
  'organizations.staff.since': '추가된 날',
  'organizations.staff.actions': '작업',
  'organizations.staff.you': '(나)',
  'organizations.staff.roleOf': '{phone}의 역할',
  'organizations.staff.invite': '스태프 추가',
  'organizations.staff.invitePhone': '스태프의 휴대폰 번호',
  'organizations.staff.invitePhoneHint':
    '이 번호로 콘솔에 로그인하면 조직이 보입니다. 이미 스태프인 번호는 새 역할로 바뀝니다.',
  'organizations.staff.inviteButton': '스태프로 추가',
  'organizations.staff.added':
    '{phone}을(를) {role}(으)로 추가했습니다. 그 번호로 로그인하면 됩니다.',
  'organizations.staff.remove': '삭제',
  'organizations.staff.removeConfirm':
    '{phone}을(를) 스태프에서 삭제할까요? 이 조직에 바로 접근할 수 없게 됩니다.',
  'organizations.staff.removeSelf':
    '나를 스태프에서 삭제할까요? 이 조직에 바로 접근할 수 없게 됩니다.',
  'organizations.staff.removeButton': '{phone} 삭제',
  'organizations.staff.rolesTitle': '역할별로 할 수 있는 일',
  'organizations.wallet.title': '지갑',
  'organizations.wallet.intro':
    '구매자는 거래소에 있는 조직의 가맹점 지갑으로 결제하고, 환불도 이 지갑에서 나갑니다. 이벤트를 공개하려면 지갑이 연결되어 있어야 합니다.',
  'organizations.wallet.linked': '연결된 지갑',
  'organizations.wallet.linkedNow': '지갑을 연결했습니다.',
  'organizations.wallet.notLinked': '아직 연결된 지갑이 없습니다.',
  'organizations.wallet.merchant': '가맹점 계정',
  'organizations.wallet.merchantId': '가맹점 ID',
  'organizations.wallet.since': '연결한 때',
  'organizations.wallet.linkTitle': '지갑 연결',
  'organizations.wallet.relinkTitle': '다른 지갑 연결',
  'organizations.wallet.linkExplain':
    '거래소에 가맹점 계정의 휴대폰 번호로 로그인하세요. 그러면 콘솔이 티켓 서버에 그 지갑의 키를 넘겨줍니다.',
  'organizations.wallet.relinkExplain':
    '다시 연결하면 {merchant}와(과)의 연결이 바뀝니다. 이후 결제와 환불은 지금 로그인하는 지갑으로 처리됩니다.',
  'organizations.wallet.link': '지갑 연결',
  'organizations.wallet.relink': '다른 지갑 연결',
  'organizations.wallet.exchangeSignIn': '거래소 로그인',
  'organizations.wallet.merchantPhone': '가맹점 계정의 휴대폰 번호',
  'organizations.wallet.merchantPhoneHint':
    '거래소가 이 번호로 자체 코드를 보냅니다. 지갑이 다른 번호로 되어 있지 않다면 내 번호입니다.',
  'organizations.wallet.merchantName': '새 가맹점 계정 이름',
  'organizations.wallet.merchantNameHint':
    '이 번호에 거래소 가맹점 계정이 없을 때만 쓰입니다. 이 이름으로 새 계정을 엽니다.',
  'organizations.wallet.nameTooLong': '{max}자 이하로 입력하세요.',
  'organizations.wallet.sendCode': '거래소 코드 받기',
  'organizations.wallet.codeSent': '거래소가 {phone}(으)로 코드를 보냈습니다.',
  'organizations.wallet.devInbox': '개발 서버: 코드는 {url}의 문자함에 있습니다.',
  'organizations.wallet.linkSteps':
    '이 코드로 콘솔이 거래소에서 이 번호의 가맹점 계정에 로그인하고(없으면 "{name}" 이름으로 새로 엽니다), "Tessera console {organization}"라는 API 키를 만들어 티켓 서버에 넘깁니다. 키는 화면에 보이지 않고 이 브라우저에 남지 않습니다.',
  'organizations.wallet.balancesSteps':
    '이 코드로 콘솔이 거래소의 가맹점 계정에 로그인해 잔액을 읽습니다.',
  'organizations.wallet.signInAndLink': '로그인하고 연결',
  'organizations.wallet.signIn': '로그인',
  'organizations.wallet.noMerchantAccount':
    '이 번호에는 거래소 가맹점 계정이 없습니다. 연결된 지갑의 번호를 쓰세요.',
  'organizations.wallet.balances': '잔액',
  'organizations.wallet.balancesNeedSignIn':
    '잔액은 거래소 자체 로그인으로 읽으며, 로그인은 이 탭이 열려 있는 동안만 유지됩니다.',
  'organizations.wallet.signInForBalances': '잔액을 보려면 거래소에 로그인',
  'organizations.wallet.asset': '자산',
  'organizations.wallet.amount': '수량',
  'organizations.wallet.value': '{fiat} 환산 가치',
  'organizations.wallet.rate': '환율',
  'organizations.wallet.noRate': '아직 환율 없음',
  'organizations.wallet.exchangeSignOut': '거래소에서 로그아웃',
  'organizations.keys.title': '서명 키',
  'organizations.keys.intro':
    '모든 티켓은 이 키 중 하나로 서명되며, 입구에서는 활성 키로 서명을 확인합니다.',
  'organizations.keys.keyId': '키 ID',
  'organizations.keys.status': '상태',
  'organizations.keys.created': '만든 때',
  'organizations.keys.retired': '폐기한 때',
  'organizations.keys.statusActive': '활성',
  'organizations.keys.statusRetired': '폐기됨',
  'organizations.keys.lastKey':
    '하나뿐인 활성 키는 폐기할 수 없습니다. 먼저 키를 교체해 새 키를 추가하세요.',
  'organizations.keys.rotate': '서명 키 교체',
  'organizations.keys.rotateExplain':
    '교체하면 새 키가 추가되어 이제부터 새 티켓은 모두 그 키로 서명됩니다. 이전 키는 폐기할 때까지 활성 상태이므로 이미 발급된 티켓은 계속 유효합니다.',
  'organizations.keys.rotateConfirm': '새 키 추가',
  'organizations.keys.rotated': '새 키 {keyId}를 추가했습니다. 새 티켓은 이 키로 서명됩니다.',
  'organizations.keys.retire': '폐기',
  'organizations.keys.retireExplain':
    '키 {keyId}를 폐기하면 입구에서 이 키로 서명된 티켓을 모두 거절합니다(온라인은 즉시, 오프라인은 다음 패키지 갱신 후). 서버가 다시 서명해 주지 않으므로, 폐기 뒤 재발급되거나 양도된 티켓만 입장할 수 있습니다.',
  'organizations.keys.retireButton': '키 {keyId} 폐기',
};
