/** The organization screens' words: picking and creating one, staff, wallet, keys. */

export const en = {
  'organizations.pick': 'Your organizations',
  'organizations.create': 'Create an organization',
  'organizations.noneYet':
    'You do not work for an organization yet. Create one, or ask its owner to add your number as staff.',
  'organizations.name': 'Name',
  'organizations.nameHint': 'As buyers will see it on their tickets.',
  'organizations.nameTooLong': 'At most 100 characters.',
  'organizations.role.owner': 'Owner',
  'organizations.role.manager': 'Manager',
  'organizations.role.box_office': 'Box office',
  'organizations.role.gate': 'Gate staff',
} as const;

export const ko: Record<keyof typeof en, string> = {
  'organizations.pick': '내 조직',
  'organizations.create': '조직 만들기',
  'organizations.noneYet':
    '아직 속한 조직이 없습니다. 조직을 만들거나, 조직의 소유자에게 내 번호를 스태프로 추가해 달라고 하세요.',
  'organizations.name': '이름',
  'organizations.nameHint': '구매자의 티켓에 보이는 이름입니다.',
  'organizations.nameTooLong': '100자 이하로 입력하세요.',
  'organizations.role.owner': '소유자',
  'organizations.role.manager': '매니저',
  'organizations.role.box_office': '매표소',
  'organizations.role.gate': '입장 스태프',
};
