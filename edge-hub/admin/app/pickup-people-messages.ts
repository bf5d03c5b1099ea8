/**
 * A child's authorised pickup people (お迎えの方, issue 17) in the roster's children table: the dialog
 * listing the guardians and the people the director adds. messages.ts carries them as `pickupPeople`.
 */
export interface PickupPeopleMessages {
  readonly column: string;
  readonly open: string;
  readonly dialogTitle: (child: string) => string;
  readonly help: string;
  readonly guardian: string;
  readonly noPhoto: string;
  readonly photoAlt: (name: string) => string;
  readonly name: string;
  readonly relation: string;
  readonly photo: string;
  readonly add: string;
  readonly remove: string;
  readonly confirmRemove: (name: string) => string;
  readonly photoUnreadable: string;
  readonly close: string;
}

const ja: PickupPeopleMessages = {
  column: 'お迎えの方',
  open: 'お迎えの方',
  dialogTitle: (child) => `${child} さんのお迎えの方`,
  help: '保護者アプリでお迎えの方として選べる人です。保護者（名簿）は自動で入ります。写真は園内（ハブ）にだけ保存され、職員のタブレットに表示されます。',
  guardian: '保護者',
  noPhoto: '写真なし',
  photoAlt: (name) => `${name} さんの写真`,
  name: '名前',
  relation: '続柄',
  photo: '写真（任意）',
  add: '追加',
  remove: '削除',
  confirmRemove: (name) => `${name} さんをお迎えの方から削除します。よろしいですか？`,
  photoUnreadable: 'この写真は読み込めません。JPEG・PNG・WebP の画像を選んでください。',
  close: '閉じる',
};

const en: PickupPeopleMessages = {
  column: 'Pickup people',
  open: 'Pickup people',
  dialogTitle: (child) => `Pickup people for ${child}`,
  help: 'The people a parent can choose for pickup in the parent app. The guardians on the roster are listed automatically. Photos stay at the hub and are shown on the staff tablets.',
  guardian: 'Guardian',
  noPhoto: 'No photo',
  photoAlt: (name) => `Photo of ${name}`,
  name: 'Name',
  relation: 'Relation',
  photo: 'Photo (optional)',
  add: 'Add',
  remove: 'Remove',
  confirmRemove: (name) => `Remove ${name} from the pickup people?`,
  photoUnreadable: "This photo can't be read. Choose a JPEG, PNG or WebP image.",
  close: 'Close',
};

export const PICKUP_PEOPLE_MESSAGES: Readonly<Record<'ja' | 'en', PickupPeopleMessages>> = { ja, en };
