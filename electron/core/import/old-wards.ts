import { foldForSearch } from '../../contract/text.ts';
import { WARDS } from '../../contract/clients.ts';
import CONVERSION from './hcmc-ward-conversion-2025.json' with { type: 'json' };

/*
 * A ward as an old sheet wrote it, read as one of Ho Chi Minh City's wards since 1 July 2025.
 * Sheets from before wrote the ward and its district ("P.7, Q.5", "Phường Phạm Ngũ Lão, Quận
 * 1") or the old ward's code; the official conversion table (the statistics office's, copied
 * here from the reference data) says which new ward took it. A ward that went to several new
 * ones ("merged in part"), or a name several districts had, is for the manager to choose.
 */

/** A ward of 2025, as the choice shows it. */
export interface NewWard {
  code: number;
  name: string;
}

/** An old ward the cell named, for the preview ("Phường 7, Quận 5"); a district made one unit whole has no ward code. */
export interface OldWard {
  code: number | null;
  name: string;
  district: string;
}

export type WardReading =
  /** A ward of 2025, by its code or name. */
  | { kind: 'ward'; ward: NewWard }
  /** An old ward, now wholly part of one ward of 2025. */
  | { kind: 'converted'; ward: NewWard; from: OldWard }
  /** Several wards of 2025 it may be now: the manager chooses. */
  | { kind: 'choose'; candidates: NewWard[]; from: OldWard[] }
  | { kind: 'unknown' };

const NEW_WARDS = new Map<number, NewWard>(WARDS.wards.map((ward) => [ward.code, { code: ward.code, name: ward.name }]));

/** A unit's name without its kind, folded: "Phường 07" and "P.7" are "7", "Quận Bình Thạnh" is "binh thanh". */
function nameKey(text: string): string {
  const folded = foldForSearch(text)
    .replace(/^(phuong|xa|thi tran|dac khu|quan|huyen|thanh pho|thi xa|tp|tx|tt|p|q|h|x)(?:\.\s*|\s+|(?=\d))/, '')
    .trim();
  return /^\d+$/.test(folded) ? String(Number(folded)) : folded;
}

const NEW_BY_NAME = new Map<string, NewWard[]>();
for (const ward of NEW_WARDS.values()) NEW_BY_NAME.set(nameKey(ward.name), [...(NEW_BY_NAME.get(nameKey(ward.name)) ?? []), ward]);

interface Conversion {
  from: OldWard;
  districtKey: string;
  to: number;
}
const CONVERSIONS: Conversion[] = CONVERSION.map((row) => ({ from: { code: row.oldCode, name: row.oldName, district: row.oldDistrict }, districtKey: nameKey(row.oldDistrict), to: row.newCode }));
const OLD_BY_CODE = new Map<number, Conversion[]>();
const OLD_BY_NAME = new Map<string, Conversion[]>();
/** Districts that became one unit whole (Côn Đảo), by their name. */
const WHOLE_DISTRICTS = new Map<string, Conversion>();
for (const row of CONVERSIONS) {
  if (row.from.code === null) {
    WHOLE_DISTRICTS.set(row.districtKey, { ...row, from: { ...row.from, name: row.from.district } });
    continue;
  }
  OLD_BY_CODE.set(row.from.code, [...(OLD_BY_CODE.get(row.from.code) ?? []), row]);
  OLD_BY_NAME.set(nameKey(row.from.name), [...(OLD_BY_NAME.get(nameKey(row.from.name)) ?? []), row]);
}

/** What old wards became: one ward of 2025, or several to choose from (also when the code is a 2025 ward's of its own, `alsoNew`). */
function reading(rows: readonly Conversion[], alsoNew?: NewWard): WardReading {
  const codes = new Set(rows.map((row) => row.to));
  if (alsoNew) codes.add(alsoNew.code);
  const candidates = [...codes].map((code) => NEW_WARDS.get(code)).filter((ward) => ward !== undefined);
  const from = [...new Map(rows.map((row) => [`${row.from.code}:${row.from.name}`, row.from])).values()];
  if (candidates.length === 0) return { kind: 'unknown' };
  if (candidates.length === 1) return candidates[0]!.code === alsoNew?.code ? { kind: 'ward', ward: alsoNew } : { kind: 'converted', ward: candidates[0]!, from: from[0]! };
  return { kind: 'choose', candidates: candidates.sort((a, b) => a.code - b.code), from };
}

/**
 * The ward a cell names: a code (of 2025, or of an old ward) or a name, with the old district
 * when the sheet has it (which tells apart the many "Phường 7").
 */
export function readWard(ward: string | number | null, district: string | null = null): WardReading {
  const districtKey = district && district.trim() ? nameKey(district) : null;
  const whole = districtKey === null ? undefined : WHOLE_DISTRICTS.get(districtKey);
  if (whole) return reading([whole]);
  if (ward === null || String(ward).trim() === '') return { kind: 'unknown' };
  const text = String(ward).trim();
  if (/^\d+$/.test(text)) {
    const code = Number(text);
    const current = NEW_WARDS.get(code);
    const old = OLD_BY_CODE.get(code) ?? [];
    if (old.length === 0) return current ? { kind: 'ward', ward: current } : { kind: 'unknown' };
    return reading(old, current);
  }
  const key = nameKey(text);
  const old = (OLD_BY_NAME.get(key) ?? []).filter((row) => districtKey === null || row.districtKey === districtKey);
  // Without an old district, a name of 2025 is read as that ward.
  const current = districtKey === null ? NEW_BY_NAME.get(key) : undefined;
  if (current?.length === 1) return { kind: 'ward', ward: current[0]! };
  if (old.length > 0) return reading(old);
  return { kind: 'unknown' };
}
