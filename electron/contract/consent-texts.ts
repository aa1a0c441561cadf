import type { ConsentPurpose } from './vocabulary.ts';

/*
 * The consent texts the worker reads aloud or gives to read, versioned. A consent record keeps
 * the version and the exact text shown, so what was agreed can always be shown again. A new
 * wording gets a new version; old versions stay here for the records that cite them.
 */

export interface ConsentText {
  purpose: ConsentPurpose;
  /** `child`: worded for a guardian or the child-protection officer. */
  audience: 'adult' | 'child';
  /** A consent given on paper before the centre used the app, brought in with its old register: never offered for a new consent. */
  beforeApp?: true;
  vi: string;
  en: string;
}

export const CONSENT_TEXTS = {
  'case_record.adult.v1': {
    purpose: 'case_record',
    audience: 'adult',
    vi: 'Trung tâm xin phép lập hồ sơ để hỗ trợ chị/anh: ghi lại các dịch vụ đã nhận, các lần chuyển gửi và việc theo dõi. Hồ sơ được mã hoá, chỉ cán bộ phụ trách xem được thông tin nhận diện; người khác muốn xem phải nêu lý do và việc đó được ghi lại. Thông tin không được chia sẻ với bất kỳ ai nếu chị/anh không đồng ý. Chị/anh có thể rút lại đồng ý bất cứ lúc nào; khi đó thông tin nhận diện, ghi chú và số liên lạc sẽ bị xoá hẳn, chỉ còn lại số đếm ẩn danh. Đồng ý này có hiệu lực 12 tháng, có thể gia hạn.',
    en: 'The centre asks your permission to keep a record so it can support you: the services you receive, referrals and follow-up. The record is encrypted; only your assigned worker sees what identifies you; anyone else must state a reason first, and that is recorded. Nothing is shared with anyone without your agreement. You may withdraw at any time; your identifying details, notes and contact details are then erased for good, and only anonymous counts remain. This consent lasts 12 months and can be renewed.',
  },
  'case_record.child.v1': {
    purpose: 'case_record',
    audience: 'child',
    vi: 'Em dưới 18 tuổi nên được bảo vệ theo Luật Trẻ em. Trung tâm xin phép người giám hộ hoặc cán bộ bảo vệ trẻ em để lập hồ sơ hỗ trợ em: ghi lại dịch vụ, chuyển gửi tới dịch vụ bảo vệ trẻ em và việc theo dõi. Hồ sơ được mã hoá; chỉ cán bộ phụ trách xem được thông tin nhận diện. Tổng đài quốc gia bảo vệ trẻ em: 111 (miễn phí, 24/7). Đồng ý có thể rút lại bất cứ lúc nào, trừ những việc pháp luật bắt buộc để bảo vệ em.',
    en: 'You are under 18 and protected by the Law on Children. The centre asks a guardian or the child-protection officer for permission to keep a record so it can support you: services, a referral to child-protection services, and follow-up. The record is encrypted; only the assigned worker sees what identifies you. National child-protection hotline: 111 (free, 24/7). Consent may be withdrawn at any time, except where the law requires action to protect you.',
  },
  'share_partner.v1': {
    purpose: 'share_partner',
    audience: 'adult',
    vi: 'Để chuyển gửi, trung tâm cần gửi cho đơn vị tiếp nhận có tên dưới đây mã thân chủ, tên gọi, dịch vụ cần và ngày hẹn. Chỉ những thông tin này được gửi; không gửi họ tên thật, số điện thoại hay giấy tờ nếu chị/anh không đồng ý riêng.',
    en: 'To refer you, the centre needs to give the organisation named below your client code, the name you go by, the service you need and the date. Only this is shared; not your legal name, phone number or papers unless you agree separately.',
  },
  'contact.v1': {
    purpose: 'contact',
    audience: 'adult',
    vi: 'Chị/anh đồng ý để cán bộ phụ trách gọi điện hoặc nhắn tin vào số đã cho để hẹn gặp và nhắc lịch. Cán bộ sẽ không nói tên trung tâm hay lý do với người khác nghe máy.',
    en: 'You agree that your assigned worker may call or message the number you gave to arrange meetings and reminders. The worker will not name the centre or the reason to anyone else who answers.',
  },
  'reports.v1': {
    purpose: 'reports',
    audience: 'adult',
    vi: 'Các con số ẩn danh (không có tên, mã hay chi tiết nào nhận ra chị/anh) có thể được đưa vào báo cáo tổng hợp gửi Sở; các ô có quá ít người sẽ bị che.',
    en: 'Anonymous numbers (no name, code or detail that could point to you) may be included in aggregate reports to the department; cells with too few people are suppressed.',
  },
  'reports.child.v1': {
    purpose: 'reports',
    audience: 'child',
    vi: 'Các con số ẩn danh về em (không có tên, mã hay chi tiết nào nhận ra em) có thể được đưa vào báo cáo tổng hợp gửi Sở; các ô có quá ít người sẽ bị ẩn. Người giám hộ hoặc cán bộ bảo vệ trẻ em đồng ý thay em; em được nghe giải thích và có thể nói không.',
    en: 'Anonymous numbers about you (no name, code or detail that could point to you) may be included in aggregate reports to the department; cells with too few people are suppressed. A guardian or the child-protection officer agrees for you; you are told what this means and may say no.',
  },
  'case_record.before_app.v1': {
    purpose: 'case_record',
    audience: 'adult',
    beforeApp: true,
    vi: 'Thân chủ đã ký đồng ý trên giấy trước khi trung tâm dùng ứng dụng; đồng ý này được đưa vào khi nhập sổ cũ. Điều thân chủ đã đồng ý là nội dung của phiếu giấy lưu tại trung tâm, không phải một văn bản của ứng dụng. Khi đồng ý hết hạn, cán bộ đọc văn bản hiện hành cho thân chủ nghe và ghi lại đồng ý mới.',
    en: 'The client signed a consent on paper before the centre used the app; it was brought in when the old register was imported. What she agreed to is the wording of the paper form kept at the centre, not a text of the app. When it expires, the worker reads her the current text and records a new consent.',
  },
  'reports.before_app.v1': {
    purpose: 'reports',
    audience: 'adult',
    beforeApp: true,
    vi: 'Phiếu đồng ý trên giấy mà thân chủ ký trước khi trung tâm dùng ứng dụng cho phép dùng các con số ẩn danh về thân chủ trong báo cáo tổng hợp; đồng ý này được đưa vào khi nhập sổ cũ. Điều thân chủ đã đồng ý là nội dung của phiếu giấy lưu tại trung tâm.',
    en: 'The paper consent form the client signed before the centre used the app allows anonymous numbers about her in aggregate reports; it was brought in when the old register was imported. What she agreed to is the wording of the paper form kept at the centre.',
  },
} as const satisfies Record<string, ConsentText>;

export type ConsentTextVersion = keyof typeof CONSENT_TEXTS;
export const CONSENT_TEXT_VERSIONS = Object.keys(CONSENT_TEXTS) as ConsentTextVersion[];

/**
 * The wording to use now for a purpose and audience: the one worded for a child and her
 * guardian where there is one (case record, reports), else the only one there is.
 */
export function currentConsentText(purpose: ConsentPurpose, audience: 'adult' | 'child'): ConsentTextVersion {
  const forPurpose = CONSENT_TEXT_VERSIONS.filter((version) => CONSENT_TEXTS[version].purpose === purpose && !('beforeApp' in CONSENT_TEXTS[version]));
  const forAudience = forPurpose.filter((version) => CONSENT_TEXTS[version].audience === audience);
  const matches = forAudience.length ? forAudience : forPurpose.filter((version) => CONSENT_TEXTS[version].audience === 'adult');
  const latest = matches.sort().at(-1);
  if (!latest) throw new Error(`no consent text for ${purpose}`);
  return latest;
}

/** A version in words' parts: its number, for whom it is worded (`case_record.adult.v1` → 1, adult), and whether it was on paper before the app. */
export function consentTextEdition(version: string): { number: number; audience: 'adult' | 'child'; beforeApp: boolean } {
  const known = (CONSENT_TEXTS as Record<string, ConsentText>)[version];
  return { number: Number(/\.v(\d+)$/.exec(version)?.[1] ?? 1), audience: known?.audience ?? 'adult', beforeApp: known?.beforeApp === true };
}
