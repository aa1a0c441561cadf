import type { ColumnTarget, ImportField, MappedValueField } from '../../contract/import.ts';
import { foldForSearch } from '../../contract/text.ts';
import type { Sex } from '../../contract/vocabulary.ts';

/*
 * What the app guesses a column holds from its header, and what a sheet's word means, from the
 * words Vietnamese registers use ("Họ và tên", "Năm sinh", "SĐT", "Phường", "Tư vấn pháp lý"
 * with an x under it). Guesses only: the manager sees each and can change it.
 */

/** Headers as registers write them, folded (no tones, lower case), most telling first. */
const HEADER_WORDS: Record<ImportField, readonly string[]> = {
  fileNumber: ['ma ho so', 'so ho so', 'ma so ho so', 'so hs', 'ma hs'],
  code: ['ma than chu', 'ma tc', 'ma uic', 'uic', 'ma khach hang', 'ma kh', 'ma doi tuong', 'ma'],
  motherName: ['ten me', 'ten cua me', 'me'],
  fatherName: ['ten cha', 'ten bo', 'ten cua cha', 'ten cua bo', 'cha', 'bo'],
  birthYear: ['nam sinh', 'ns'],
  birthDate: ['ngay sinh', 'ngay thang nam sinh', 'sinh ngay'],
  sex: ['gioi tinh', 'gioi', 'gt', 'phai'],
  alias: ['ten goi', 'ten thuong goi', 'biet danh', 'nghe danh', 'ten goi khac', 'ten'],
  legalName: ['ho va ten', 'ho ten', 'ho ten day du', 'ho va ten day du', 'ten that'],
  phone: ['so dien thoai', 'sdt', 'dien thoai', 'dt', 'so dt'],
  idNumber: ['cccd', 'cmnd', 'so cccd', 'so cmnd', 'cmnd cccd', 'so dinh danh', 'so giay to'],
  address: ['dia chi', 'noi o', 'cho o', 'dia chi thuong tru', 'dia chi tam tru'],
  ward: ['phuong', 'phuong xa', 'xa phuong', 'xa'],
  district: ['quan', 'quan huyen', 'huyen'],
  registeredOn: ['ngay dang ky', 'ngay tiep nhan', 'ngay lap ho so', 'ngay vao', 'ngay nhan'],
  consentOn: ['ngay ky dong y', 'ngay dong y', 'ngay ky cam ket', 'ngay ky phieu dong y', 'dong y'],
  visitOn: ['ngay tu van', 'ngay gap', 'ngay tiep xuc', 'ngay cung cap dich vu', 'ngay ho tro', 'ngay den', 'ngay'],
  services: ['dich vu', 'dich vu da nhan', 'noi dung ho tro', 'hinh thuc ho tro', 'noi dung tu van', 'noi dung'],
  place: ['dia diem', 'noi gap', 'noi tu van', 'hinh thuc tiep can'],
  referralService: ['chuyen gui', 'dich vu chuyen gui', 'chuyen gui den', 'chuyen gui dich vu', 'noi dung chuyen gui'],
  referralOn: ['ngay chuyen gui', 'ngay chuyen'],
  referralStatus: ['ket qua chuyen gui', 'tinh trang chuyen gui', 'trang thai chuyen gui', 'ket qua chuyen'],
};

/** The words a sheet uses for each service of the catalogue, folded; a type the centre added is known by its own name. */
const SERVICE_WORDS: Record<string, readonly string[]> = {
  legal_counselling: ['tu van phap ly', 'phap ly', 'tvpl', 'tro giup phap ly'],
  psychological_counselling: ['tu van tam ly', 'tam ly', 'tvtl'],
  health_check_sti: ['kham suc khoe', 'kham sk', 'lay truyen', 'sti', 'std', 'kham phu khoa', 'kham'],
  hiv_testing: ['xet nghiem hiv', 'xn hiv', 'xet nghiem', 'xn'],
  prep: ['prep'],
  art_linkage: ['arv', 'art', 'dieu tri hiv'],
  methadone: ['methadone', 'metadon', 'methadon'],
  harm_reduction_supplies: ['bao cao su', 'bcs', 'bom kim tiem', 'giam hai', 'giam tac hai'],
  vocational_training: ['dao tao nghe', 'hoc nghe', 'day nghe'],
  job_placement: ['gioi thieu viec lam', 'viec lam', 'tim viec'],
  loan_support: ['vay von', 'ngan hang chinh sach', 'nhcsxh', 'nhcs'],
  peer_group: ['dong dang', 'sinh hoat nhom', 'tu luc'],
  emergency_shelter: ['tam lanh', 'khan cap', 'nha tam lanh'],
  gbv_support: ['bao luc gioi', 'bao luc'],
  child_protection: ['bao ve tre em'],
  other: ['khac'],
};

const SEX_WORDS: Record<Sex, readonly string[]> = {
  female: ['nu', 'n', 'f', 'female', 'gai', 'phu nu'],
  male: ['nam', 'm', 'male', 'trai'],
  trans_female: ['chuyen gioi nu', 'cgn', 'tgw', 'mtf', 'nguoi chuyen gioi nu'],
  trans_male: ['chuyen gioi nam', 'tgm', 'ftm', 'nguoi chuyen gioi nam'],
  other: ['khac', 'khong noi', 'khong muon noi'],
};

const PLACE_WORDS: Record<string, readonly string[]> = {
  centre: ['trung tam', 'van phong', 'tai trung tam', 'vp', 'tai van phong', 'diem tiep nhan'],
  outreach: ['tiep can cong dong', 'cong dong', 'dia ban', 'hien truong', 'tiep can', 'ngoai trung tam'],
  phone_online: ['dien thoai', 'online', 'truc tuyen', 'zalo', 'facebook', 'qua dien thoai'],
  partner_site: ['co so doi tac', 'phong kham', 'benh vien', 'doi tac', 'co so y te'],
};

const REFERRAL_STATUS_WORDS: Record<string, readonly string[]> = {
  proposed: ['de xuat', 'du kien', 'cho chuyen', 'chua chuyen'],
  sent: ['da chuyen', 'da gui', 'da chuyen gui', 'chuyen gui'],
  received: ['da tiep nhan', 'da nhan', 'tiep nhan'],
  completed: ['hoan thanh', 'da hoan thanh', 'xong', 'thanh cong', 'da lam', 'co ket qua', 'da den'],
  declined: ['tu choi', 'khong dong y', 'khong muon'],
  lost: ['mat dau', 'khong lien lac duoc', 'khong den', 'that lac', 'mat lien lac'],
};

/** A header or word folded, its punctuation made spaces: "Phường/Xã" → "phuong xa", "SĐT:" → "sdt". */
export function wordKey(text: string): string {
  return foldForSearch(text.replace(/[^\p{L}\p{N}]+/gu, ' '));
}

/** How well `key` is one of `words`: the whole of it (by the list's order), or a whole-word part of it; 0: not at all. */
function fit(key: string, words: readonly string[]): number {
  let best = 0;
  for (const [rank, word] of words.entries()) {
    if (key === word) best = Math.max(best, 1000 - rank);
    else if (word.length >= 3 && ` ${key} `.includes(` ${word} `)) best = Math.max(best, 500 + word.length);
  }
  return best;
}

export interface CatalogueEntry {
  id: number;
  code: string;
  nameVi: string;
  nameEn: string;
}

function serviceWords(type: CatalogueEntry): string[] {
  return [wordKey(type.nameVi), wordKey(type.nameEn), ...(SERVICE_WORDS[type.code] ?? [])];
}

/**
 * Each column's likely meaning, each field given to one column at most (the best fitting);
 * a header naming a service ("Tư vấn pháp lý") is a column of marks for it.
 */
export function suggestColumns(headers: readonly string[], catalogue: readonly CatalogueEntry[]): ColumnTarget[] {
  const keys = headers.map(wordKey);
  const candidates: { column: number; field: ImportField; score: number }[] = [];
  for (const [column, key] of keys.entries()) {
    if (!key) continue;
    for (const [field, words] of Object.entries(HEADER_WORDS) as [ImportField, readonly string[]][]) {
      const score = fit(key, words);
      if (score > 0) candidates.push({ column, field, score });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.column - b.column);
  const targets: ColumnTarget[] = headers.map(() => null);
  const taken = new Set<ImportField>();
  // A header that is a service's name whole (a column of marks) wins over a field it only contains.
  const services = keys.map((key) => (key ? bestService(key, catalogue, true) : null));
  for (const { column, field } of candidates) {
    if (targets[column] !== null || taken.has(field) || services[column] !== null) continue;
    targets[column] = { field };
    taken.add(field);
  }
  for (const [column, service] of services.entries()) if (service !== null && targets[column] === null) targets[column] = { field: 'serviceMark', serviceTypeId: service };
  return targets;
}

/** The service a word names: the catalogue's type whose words fit it best (`whole`: only a word that is a type's name whole). */
function bestService(key: string, catalogue: readonly CatalogueEntry[], whole = false): number | null {
  let best: { id: number; score: number } | null = null;
  for (const type of catalogue) {
    const words = serviceWords(type);
    const score = whole ? (words.includes(key) ? 1000 : 0) : fit(key, words);
    if (score > 0 && (!best || score > best.score)) best = { id: type.id, score };
  }
  return best?.id ?? null;
}

function bestOf<T extends string>(key: string, table: Record<T, readonly string[]>): T | null {
  let best: { value: T; score: number } | null = null;
  for (const [value, words] of Object.entries(table) as [T, readonly string[]][]) {
    const score = fit(key, words);
    if (score > 0 && (!best || score > best.score)) best = { value, score };
  }
  return best?.value ?? null;
}

/** What the app takes a sheet's word to mean, for a field whose words are mapped. */
export function suggestMeaning(field: MappedValueField, word: string, catalogue: readonly CatalogueEntry[]): string | number | null {
  const key = wordKey(word);
  if (!key) return null;
  switch (field) {
    case 'sex':
      return bestOf(key, SEX_WORDS);
    case 'place':
      return bestOf(key, PLACE_WORDS);
    case 'services':
      return bestService(key, catalogue);
    case 'referralStatus':
      return bestOf(key, REFERRAL_STATUS_WORDS);
  }
}

/** A cell of several services ("TVPL, XN HIV; PrEP") as its words. */
export function serviceWordsOf(text: string): string[] {
  return text
    .split(/[,;+\n/]|\s-\s/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Whether a mark cell says she had the service ("x", "1", "có", a tick). */
export function isMark(value: string): boolean {
  if (value.trim() === '') return false;
  // A tick (✓, √) folds to nothing: a mark all the same.
  const key = wordKey(value);
  return key === '' || !['0', 'khong', 'k', 'no', 'n'].includes(key);
}
