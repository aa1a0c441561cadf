import type { GroupKind } from './groups.ts';
import { AGE_BANDS, SEXES, type AgeBand, type ServiceGroup, type Sex } from './vocabulary.ts';

/*
 * The indicators of the centre's reports to the city, following the targets of the city's
 * 2021–2025 plan for the support of people who sell sex. Each has a stable id (used in exports
 * and in the DHIS2 mapping), a version (raised whenever what it counts changes), its words in
 * both languages, and a plain-language definition shown in the app and written into every
 * export. Counts come from core (electron/core/reports/counts.ts); the shapes are fixed here.
 *
 * Who counts: a registered client counts only if she agreed that anonymous numbers about her
 * may be used in reports (consent "reports", given before the end of the period, lasting into
 * it, never withdrawn). Anonymous contacts count as contacts and services, never as persons.
 */

export type Words = { vi: string; en: string };

/** What one cell counts. Every kind is protected by suppression. */
export type Unit = 'persons' | 'contacts' | 'services' | 'referrals' | 'sessions' | 'attendances';

/** Rows: sex; columns: age band; both with a total. Additive both ways. */
export interface SexByAgeShape {
  kind: 'sexByAge';
}
/** Rows given by a list (service types or groups), one or more count columns. */
export interface ListShape {
  kind: 'list';
  rows: 'serviceTypes' | 'serviceGroups' | 'referralTypes' | 'groupKinds' | 'single';
  columns: readonly { key: string; label: Words }[];
  /** A total row that is the sum of the rows (false when one person can be in several rows). */
  totalRow: boolean;
  /** A total column that is the sum of the columns. */
  totalColumn?: boolean;
}
export type Shape = SexByAgeShape | ListShape;

export interface Indicator {
  id: string;
  version: number;
  unit: Unit;
  label: Words;
  definition: Words;
  shape: Shape;
}

const SEX_BY_AGE: SexByAgeShape = { kind: 'sexByAge' };

/** Referral types of the city's reports, and the service groups each gathers. */
export const REFERRAL_TYPES = {
  hiv_testing: ['hiv_testing'],
  prep: ['prep'],
  art: ['art'],
  methadone: ['methadone'],
  sti: ['health_sti'],
  legal_aid: ['legal'],
  vocational_training: ['vocational_training'],
  loan: ['loan'],
  other: ['psychological', 'harm_reduction', 'job_placement', 'peer_group', 'emergency_shelter', 'gbv', 'other'],
} as const;
export type ReferralType = keyof typeof REFERRAL_TYPES;
export const REFERRAL_TYPE_WORDS: Record<ReferralType, Words> = {
  hiv_testing: { vi: 'Xét nghiệm HIV', en: 'HIV testing' },
  prep: { vi: 'PrEP', en: 'PrEP' },
  art: { vi: 'Điều trị ARV', en: 'ART' },
  methadone: { vi: 'Methadone', en: 'Methadone' },
  sti: { vi: 'Bệnh lây truyền qua đường tình dục', en: 'STI' },
  legal_aid: { vi: 'Trợ giúp pháp lý', en: 'Legal aid' },
  vocational_training: { vi: 'Đào tạo nghề', en: 'Vocational training' },
  loan: { vi: 'Vay vốn', en: 'Loans' },
  other: { vi: 'Khác', en: 'Other' },
};

const MADE_COMPLETED = [
  { key: 'made', label: { vi: 'Đã chuyển gửi', en: 'Made' } },
  { key: 'completed', label: { vi: 'Hoàn thành', en: 'Completed' } },
] as const;

const personsWho = (vi: string, en: string): Words => ({
  vi: `${vi} Mỗi người tính một lần, theo giới tính và nhóm tuổi (theo năm sinh, tính ở ngày cuối kỳ). Chỉ tính thân chủ đã đồng ý cho dùng số liệu ẩn danh trong báo cáo.`,
  en: `${en} Each person counts once, by sex and age band (from the birth year, on the last day of the period). Only clients who agreed to anonymous numbers in reports are counted.`,
});

export const INDICATORS = [
  {
    id: 'persons_reached',
    version: 1,
    unit: 'persons',
    label: { vi: 'Số người được tiếp cận dịch vụ hỗ trợ', en: 'Persons reached with support services' },
    definition: personsWho('Thân chủ đã đăng ký nhận ít nhất một dịch vụ trong kỳ.', 'Registered clients who received at least one service in the period.'),
    shape: SEX_BY_AGE,
  },
  {
    id: 'persons_registered',
    version: 1,
    unit: 'persons',
    label: { vi: 'Số người mới đăng ký', en: 'Persons newly registered' },
    definition: personsWho('Thân chủ được lập hồ sơ trong kỳ.', 'Clients whose record was opened in the period.'),
    shape: SEX_BY_AGE,
  },
  {
    id: 'anonymous_contacts',
    version: 1,
    unit: 'contacts',
    label: { vi: 'Số lượt hỗ trợ ẩn danh', en: 'Anonymous contacts' },
    definition: {
      vi: 'Lượt hỗ trợ người không đăng ký hồ sơ (và lượt gặp của người đã rút đồng ý, đã được ẩn danh) trong kỳ, theo giới tính và nhóm tuổi ghi lúc gặp. Tính theo lượt, không tính theo người.',
      en: 'Contacts with people who did not register (and the visits of people who withdrew consent, made anonymous) in the period, by the sex and age band recorded at the contact. Counted as contacts, not persons.',
    },
    shape: SEX_BY_AGE,
  },
  {
    id: 'services_by_type',
    version: 1,
    unit: 'services',
    label: { vi: 'Số lượt dịch vụ theo loại dịch vụ', en: 'Services delivered by service type' },
    definition: {
      vi: 'Mỗi dịch vụ ghi trong một lần gặp thân chủ (đã đồng ý báo cáo) hoặc một lượt hỗ trợ ẩn danh trong kỳ là một lượt.',
      en: 'Each service recorded at a visit of a client (who agreed to reports) or at an anonymous contact in the period counts once.',
    },
    shape: { kind: 'list', rows: 'serviceTypes', columns: [{ key: 'services', label: { vi: 'Lượt dịch vụ', en: 'Services' } }], totalRow: true },
  },
  {
    id: 'persons_by_service_group',
    version: 1,
    unit: 'persons',
    label: { vi: 'Số người nhận dịch vụ theo nhóm dịch vụ', en: 'Persons receiving each service group' },
    definition: {
      vi: 'Thân chủ đã đăng ký (đã đồng ý báo cáo) nhận ít nhất một dịch vụ của nhóm trong kỳ. Một người nhận nhiều nhóm được tính ở mỗi nhóm, nên các dòng không cộng thành tổng.',
      en: 'Registered clients (who agreed to reports) who received at least one service of the group in the period. Someone who received several groups counts in each, so the rows do not add up to a total.',
    },
    shape: { kind: 'list', rows: 'serviceGroups', columns: [{ key: 'persons', label: { vi: 'Số người', en: 'Persons' } }], totalRow: false },
  },
  {
    id: 'referrals_by_type',
    version: 1,
    unit: 'referrals',
    label: { vi: 'Số lượt chuyển gửi và hoàn thành theo loại', en: 'Referrals made and completed by type' },
    definition: {
      vi: 'Chuyển gửi được đề xuất trong kỳ (đã chuyển gửi) và chuyển gửi được ghi hoàn thành trong kỳ (hoàn thành), của thân chủ đã đồng ý báo cáo. Chuyển gửi bảo vệ trẻ em được tính riêng. Ứng dụng không ghi kết quả xét nghiệm hay chẩn đoán.',
      en: 'Referrals proposed in the period (made) and referrals recorded as completed in the period (completed), of clients who agreed to reports. Child-protection referrals are counted separately. The app records no test result or diagnosis.',
    },
    shape: { kind: 'list', rows: 'referralTypes', columns: MADE_COMPLETED, totalRow: true },
  },
  {
    id: 'persons_vocational_training',
    version: 1,
    unit: 'persons',
    label: { vi: 'Số người bắt đầu học nghề', en: 'Persons who started vocational training' },
    definition: personsWho(
      'Thân chủ có chuyển gửi đào tạo nghề hoàn thành, hoặc được ghi dịch vụ đào tạo nghề, trong kỳ.',
      'Clients with a vocational-training referral completed, or a vocational-training service recorded, in the period.',
    ),
    shape: SEX_BY_AGE,
  },
  {
    id: 'persons_job_placement',
    version: 1,
    unit: 'persons',
    label: { vi: 'Số người được giới thiệu việc làm thành công', en: 'Persons placed in jobs' },
    definition: personsWho(
      'Thân chủ có chuyển gửi giới thiệu việc làm hoàn thành, hoặc được ghi dịch vụ giới thiệu việc làm, trong kỳ.',
      'Clients with a job-placement referral completed, or a job-placement service recorded, in the period.',
    ),
    shape: SEX_BY_AGE,
  },
  {
    id: 'persons_loan',
    version: 1,
    unit: 'persons',
    label: { vi: 'Số người được vay vốn', en: 'Persons who obtained a loan' },
    definition: personsWho(
      'Thân chủ có chuyển gửi vay vốn Ngân hàng Chính sách xã hội hoàn thành, hoặc được ghi dịch vụ hỗ trợ vay vốn, trong kỳ.',
      'Clients with a Bank for Social Policies loan referral completed, or a loan-support service recorded, in the period.',
    ),
    shape: SEX_BY_AGE,
  },
  {
    id: 'cases_reintegrated',
    version: 1,
    unit: 'persons',
    label: { vi: 'Số người hoà nhập cộng đồng (đóng hồ sơ)', en: 'Cases closed as reintegrated' },
    definition: personsWho('Thân chủ có hồ sơ được đóng trong kỳ với lý do "hoà nhập cộng đồng".', 'Clients whose case was closed in the period as reintegrated.'),
    shape: SEX_BY_AGE,
  },
  {
    id: 'child_protection_referrals',
    version: 1,
    unit: 'referrals',
    label: { vi: 'Chuyển gửi bảo vệ trẻ em', en: 'Child-protection referrals' },
    definition: {
      vi: 'Chuyển gửi bảo vệ trẻ em (trẻ dưới 18 tuổi) được đề xuất và được hoàn thành trong kỳ. Tính riêng, không chia nhỏ theo giới tính hay tuổi.',
      en: 'Child-protection referrals (children under 18) proposed and completed in the period. Counted separately, never broken down by sex or age.',
    },
    shape: { kind: 'list', rows: 'single', columns: MADE_COMPLETED, totalRow: false },
  },
  {
    id: 'group_sessions',
    version: 1,
    unit: 'sessions',
    label: { vi: 'Số buổi sinh hoạt nhóm theo loại', en: 'Group sessions held by kind' },
    definition: {
      vi: 'Buổi sinh hoạt nhóm đồng đẳng, câu lạc bộ tự lực, buổi truyền thông và lớp học được tổ chức trong kỳ, theo loại buổi.',
      en: 'Peer-group meetings, self-help club meetings, awareness sessions and classes held in the period, by kind.',
    },
    shape: { kind: 'list', rows: 'groupKinds', columns: [{ key: 'sessions', label: { vi: 'Số buổi', en: 'Sessions' } }], totalRow: true },
  },
  {
    id: 'group_attendances',
    version: 1,
    unit: 'attendances',
    label: { vi: 'Số lượt tham dự sinh hoạt nhóm theo loại', en: 'Group session attendances by kind' },
    definition: {
      vi: 'Lượt tham dự các buổi sinh hoạt nhóm trong kỳ, theo loại buổi: thân chủ đã đăng ký (chỉ người đã đồng ý cho dùng số liệu ẩn danh trong báo cáo) và người tham dự khác (chỉ đếm số). Một người dự hai buổi tính hai lượt.',
      en: 'Attendances at group sessions in the period, by kind: registered clients (only those who agreed to anonymous numbers in reports) and others who attended (counted only). Someone at two sessions counts twice.',
    },
    shape: {
      kind: 'list',
      rows: 'groupKinds',
      columns: [
        { key: 'registered', label: { vi: 'Thân chủ đã đăng ký', en: 'Registered clients' } },
        { key: 'others', label: { vi: 'Người tham dự khác', en: 'Others' } },
      ],
      totalRow: true,
      totalColumn: true,
    },
  },
] as const satisfies readonly Indicator[];

export const GROUP_KIND_WORDS: Record<GroupKind, Words> = {
  peer_group: { vi: 'Sinh hoạt nhóm đồng đẳng', en: 'Peer-group meeting' },
  self_help_club: { vi: 'Câu lạc bộ tự lực', en: 'Self-help club' },
  awareness: { vi: 'Truyền thông nâng cao nhận thức', en: 'Awareness session' },
  class: { vi: 'Lớp học', en: 'Class' },
};

export type IndicatorId = (typeof INDICATORS)[number]['id'];
export const INDICATOR_IDS = INDICATORS.map((indicator) => indicator.id) as IndicatorId[];

export const SEX_WORDS: Record<Sex, Words> = {
  female: { vi: 'Nữ', en: 'Female' },
  male: { vi: 'Nam', en: 'Male' },
  trans_female: { vi: 'Chuyển giới nữ', en: 'Trans woman' },
  trans_male: { vi: 'Chuyển giới nam', en: 'Trans man' },
  other: { vi: 'Khác / không nói', en: 'Other / not stated' },
};
export const AGE_WORDS: Record<AgeBand, Words> = {
  under_18: { vi: 'Dưới 18', en: 'Under 18' },
  '18_24': { vi: '18–24', en: '18–24' },
  '25_34': { vi: '25–34', en: '25–34' },
  '35_49': { vi: '35–49', en: '35–49' },
  '50_plus': { vi: '50 trở lên', en: '50+' },
};
export const TOTAL_WORDS: Words = { vi: 'Tổng', en: 'Total' };
/** What a table's cells count, as a reader of the report says it. */
export const UNIT_WORDS: Record<Unit, Words> = {
  persons: { vi: 'người', en: 'persons' },
  contacts: { vi: 'lượt', en: 'contacts' },
  services: { vi: 'lượt dịch vụ', en: 'services' },
  referrals: { vi: 'lượt chuyển gửi', en: 'referrals' },
  sessions: { vi: 'buổi', en: 'sessions' },
  attendances: { vi: 'lượt tham dự', en: 'attendances' },
};
/** Service groups as they are named in reports (the app's screens use the same words). */
export const SERVICE_GROUP_WORDS: Record<ServiceGroup, Words> = {
  legal: { vi: 'Pháp lý', en: 'Legal' },
  psychological: { vi: 'Tâm lý', en: 'Psychological' },
  health_sti: { vi: 'Sức khoẻ / STI', en: 'Health / STI' },
  hiv_testing: { vi: 'Xét nghiệm HIV', en: 'HIV testing' },
  prep: { vi: 'PrEP', en: 'PrEP' },
  art: { vi: 'Điều trị ARV', en: 'HIV treatment (ART)' },
  methadone: { vi: 'Methadone', en: 'Methadone' },
  harm_reduction: { vi: 'Giảm hại', en: 'Harm reduction' },
  vocational_training: { vi: 'Đào tạo nghề', en: 'Vocational training' },
  job_placement: { vi: 'Việc làm', en: 'Job placement' },
  loan: { vi: 'Vay vốn', en: 'Loans' },
  peer_group: { vi: 'Nhóm đồng đẳng', en: 'Peer groups' },
  emergency_shelter: { vi: 'Khẩn cấp / tạm lánh', en: 'Emergency / shelter' },
  gbv: { vi: 'Bạo lực giới', en: 'Gender-based violence' },
  child_protection: { vi: 'Bảo vệ trẻ em', en: 'Child protection' },
  other: { vi: 'Khác', en: 'Other' },
};
export { SEXES, AGE_BANDS };
