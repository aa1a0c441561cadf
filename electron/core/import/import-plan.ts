import { clientCode, normalizeCode } from '../../contract/client-code.ts';
import type { CellIssue, CellProblem, ColumnTarget, DuplicateDecision, ImportCounts, ImportField, MappedValueField, ParsedImportPlan, PreviewRow, RowOutcome } from '../../contract/import.ts';
import { DEFAULT_CONSENT_MONTHS, REFERRAL_STATUSES, SEXES, VISIT_PLACES, yearsSince, type ReferralStatus, type Sex } from '../../contract/vocabulary.ts';
import { addToDate } from '../clock.ts';
import { isMark, serviceWordsOf, suggestMeaning, type CatalogueEntry } from './column-guess.ts';
import { readWard } from './old-wards.ts';
import { dateOrderOf, parseSheetDate, type DateOrder } from './sheet-dates.ts';
import type { SheetCell, SheetTable } from './sheet-file.ts';

/*
 * Every row of an old register read under the manager's plan (which column holds what, what
 * the sheet's words mean, what to do with duplicates): what it would become, and why not when
 * it would not. The same reading serves the preview and the import, so what is imported is
 * exactly what was shown. Nothing here writes.
 *
 * A row is a person, unless the register keeps a row per visit: rows sharing a file number
 * ("Mã hồ sơ") are one person's, the first row holding her facts. Her code is the sheet's when
 * well-formed, else built from its parts (UIC). A person already in the app, or on an earlier
 * row, is a duplicate for the manager to decide on: skip the row, merge its visits into that
 * record, or import her as a different person (the code's next suffix).
 */

/** A code as the app writes them: four letters, the birth year's two digits, the sex digit, and a suffix for a second person. */
export const CODE_FORM = /^[A-Z]{4}\d{2}-[1-5](\.\d{1,4})?$/;
const SEX_OF_DIGIT: Record<string, Sex> = { '1': 'female', '2': 'male', '3': 'trans_female', '4': 'trans_male', '5': 'other' };

/** A visit a row adds. */
export interface PlannedVisit {
  rowNumber: number;
  visitOn: string;
  place: string;
  serviceTypeIds: number[];
}

/** A referral a row adds: made on its date, and what became of it (the same date: the register has one). */
export interface PlannedReferral {
  rowNumber: number;
  on: string;
  serviceTypeId: number;
  status: ReferralStatus;
}

/** What goes into a record already in the app. */
export interface PlannedMerge {
  /** Who holds her case: the visits are written as hers. */
  workerId: number | null;
  visits: PlannedVisit[];
  referrals: PlannedReferral[];
}

/** A person the import registers. */
export interface PlannedClient {
  rowNumber: number;
  code: string;
  alias: string;
  birthYear: number;
  sex: Sex;
  wardCode: number | null;
  identity: { legalName: string | null; idNumber: string | null; address: string | null } | null;
  registeredOn: string;
  consent: { basis: 'column' | 'statement'; givenOn: string; expiresOn: string };
  visits: PlannedVisit[];
  referrals: PlannedReferral[];
}

export interface ImportReading {
  rows: PreviewRow[];
  counts: ImportCounts;
  create: PlannedClient[];
  /** Visits and referrals added to records already in the app, by the record's id. */
  merge: Map<number, PlannedMerge>;
  values: Record<MappedValueField, { word: string; rows: number; meaning: string | number | null; suggested: boolean }[]>;
  wardChoices: { key: string; oldName: string; districtName: string; rows: number; options: { code: number; name: string }[]; chosen: number | null }[];
  missing: ('alias' | 'identity' | 'birthYear' | 'sex' | 'consent')[];
}

/** What the reading needs to know of the app. */
export interface AppFacts {
  today: string;
  catalogue: readonly (CatalogueEntry & { active: boolean })[];
  /** Every client's code (base or suffixed) and id. */
  codes: ReadonlyMap<string, number>;
  /** The records visits could be merged into: whether each may be written to now, and its visits and referrals (`visitKey`, `referralKey`). */
  records(clientIds: readonly number[]): Promise<Map<number, { writable: 'yes' | 'restricted' | 'closed' | 'noConsent'; workerId: number | null; visits: Set<string> }>>;
}

type Cell = { column: number; value: SheetCell };

/** A visit as a key: its date and its services, sorted. */
export const visitKey = (visitOn: string, serviceTypeIds: readonly number[]) => `${visitOn}|${[...serviceTypeIds].sort((a, b) => a - b).join(',')}`;
/** A referral as a key: its date and its service. */
export const referralKey = (on: string, serviceTypeId: number) => `r${on}|${serviceTypeId}`;

function text(value: SheetCell): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).normalize('NFC').trim();
}

interface RowFacts {
  rowNumber: number;
  /** Its place in the table's rows. */
  index: number;
  issues: CellIssue[];
  fileNumber: string | null;
  code: string | null;
  alias: string | null;
  birthYear: number | null;
  sex: Sex | null;
  wardCode: number | null;
  identity: PlannedClient['identity'];
  registeredOn: string | null;
  consentOn: string | null;
  visit: Omit<PlannedVisit, 'rowNumber'> | null;
  referral: Omit<PlannedReferral, 'rowNumber'> | null;
  /** The client facts the row holds, to compare a later row of the same person with. */
  facts: string;
}

/**
 * Read the table under the plan. `facts` says what the app holds now; the result says, row by
 * row, what would happen, and holds what the import would write.
 */
export async function readUnderPlan(table: SheetTable, plan: ParsedImportPlan, app: AppFacts): Promise<ImportReading> {
  const byField = new Map<ImportField, number>();
  const marks: { column: number; serviceTypeId: number }[] = [];
  plan.columns.forEach((target: ColumnTarget, column) => {
    if (!target || column >= table.columns.length) return;
    if (target.field === 'serviceMark') marks.push({ column, serviceTypeId: target.serviceTypeId });
    else if (!byField.has(target.field)) byField.set(target.field, column);
  });
  const cellOf = (row: SheetCell[], field: ImportField): Cell | null => {
    const column = byField.get(field);
    return column === undefined ? null : { column, value: row[column] ?? null };
  };
  const active = new Map(app.catalogue.filter((type) => type.active).map((type) => [type.id, type]));
  const orders = new Map<ImportField, DateOrder>();
  for (const field of ['birthDate', 'registeredOn', 'consentOn', 'visitOn'] as const) {
    const column = byField.get(field);
    if (column !== undefined) orders.set(field, dateOrderOf(table.rows.map((row) => row[column])));
  }

  // The words of the mapped columns, and what each is taken to mean.
  const values: ImportReading['values'] = { sex: [], services: [], place: [], referralStatus: [] };
  const meaningOf = {} as Record<MappedValueField, Map<string, string | number | null>>;
  for (const field of ['sex', 'services', 'place', 'referralStatus'] as const) {
    // A referral's service is a service's word too: one meaning for both columns.
    const columns = (field === 'services' ? [byField.get('services'), byField.get('referralService')] : [byField.get(field)]).filter((column) => column !== undefined);
    const counted = new Map<string, number>();
    for (const column of columns) {
      for (const row of table.rows) {
        const cell = text(row[column] ?? null);
        for (const word of field === 'services' ? serviceWordsOf(cell) : cell ? [cell] : []) counted.set(word, (counted.get(word) ?? 0) + 1);
      }
    }
    const meanings = new Map<string, string | number | null>();
    for (const [word, rows] of [...counted].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'vi'))) {
      const planned = plan.values[field][word];
      const suggested = planned === undefined ? suggestMeaning(field, word, [...active.values()]) : null;
      const meaning = planned !== undefined ? planned : suggested;
      meanings.set(word, meaning);
      values[field].push({ word, rows, meaning, suggested: planned === undefined && suggested !== null });
    }
    meaningOf[field] = meanings;
  }

  const wardChoices = new Map<string, ImportReading['wardChoices'][number]>();
  const problem = (issues: CellIssue[], cell: Cell | null, what: CellProblem, severity: 'error' | 'warning' = 'error') =>
    issues.push({ column: cell?.column ?? null, problem: what, severity, value: cell ? text(cell.value) || null : null });
  const dateOf = (issues: CellIssue[], cell: Cell | null, field: ImportField, severity: 'error' | 'warning' = 'error'): string | null => {
    if (!cell) return null;
    const read = parseSheetDate(typeof cell.value === 'string' ? cell.value.trim() : cell.value, app.today, orders.get(field));
    if (read === null) return null;
    if (!read.ok) return problem(issues, cell, read.problem === 'DATE_FORMAT' ? 'dateFormat' : 'dateInvalid', severity), null;
    if (read.date > app.today) return problem(issues, cell, 'dateFuture', severity), null;
    return read.date;
  };
  const limited = (issues: CellIssue[], cell: Cell | null, max: number): string | null => {
    const value = cell ? text(cell.value) : '';
    if (!value) return null;
    if (value.length > max) return problem(issues, cell, 'tooLong'), null;
    return value;
  };

  function readRow(row: SheetCell[], rowNumber: number, index: number): RowFacts {
    const issues: CellIssue[] = [];
    const fileNumber = text(cellOf(row, 'fileNumber')?.value ?? null) || null;

    // Her code: the sheet's when well-formed, else built from its parts.
    const codeCell = cellOf(row, 'code');
    const sheetCode = codeCell ? normalizeCode(text(codeCell.value)) : '';
    const fromSheet = CODE_FORM.test(sheetCode) ? sheetCode : null;
    if (sheetCode && !fromSheet) problem(issues, codeCell, 'codeMalformed', byField.has('motherName') || byField.has('fatherName') ? 'warning' : 'error');

    const yearCell = cellOf(row, 'birthYear');
    const birthDateCell = cellOf(row, 'birthDate');
    let birthYear: number | null = null;
    const yearText = yearCell ? text(yearCell.value) : '';
    if (yearText) {
      const year = /^\d{4}$/.test(yearText) ? Number(yearText) : /^\d{2}$/.test(yearText) ? fullYearOf(Number(yearText), app.today) : NaN;
      if (Number.isInteger(year) && year >= 1930 && year <= Number(app.today.slice(0, 4))) birthYear = year;
      else problem(issues, yearCell, 'birthYearRange');
    }
    const birthDate = dateOf(issues, birthDateCell, 'birthDate');
    if (birthDate && birthYear === null) birthYear = Number(birthDate.slice(0, 4));
    if (birthYear === null && fromSheet && !yearText) birthYear = fullYearOf(Number(fromSheet.slice(4, 6)), app.today);

    const sexCell = cellOf(row, 'sex');
    let sex: Sex | null = null;
    const sexWord = sexCell ? text(sexCell.value) : '';
    if (sexWord) {
      const meaning = meaningOf.sex.get(sexWord);
      if (typeof meaning === 'string' && (SEXES as readonly string[]).includes(meaning)) sex = meaning as Sex;
      else problem(issues, sexCell, 'valueUnmapped');
    } else if (fromSheet) sex = SEX_OF_DIGIT[fromSheet.slice(7, 8)] ?? null;

    if (birthYear === null && !issues.some((issue) => issue.problem === 'birthYearRange' || issue.column === birthDateCell?.column)) problem(issues, yearCell ?? birthDateCell, 'required');
    if (sex === null && !sexWord) problem(issues, sexCell, 'required');

    let code = fromSheet;
    if (!code && birthYear !== null && sex !== null) {
      if (byField.has('motherName') || byField.has('fatherName')) {
        const mother = limited(issues, cellOf(row, 'motherName'), 60) ?? '';
        const father = limited(issues, cellOf(row, 'fatherName'), 60) ?? '';
        code = clientCode({ motherName: mother, fatherName: father, birthYear, sex });
      } else if (!sheetCode) problem(issues, null, 'codeParts');
    }

    const alias = limited(issues, cellOf(row, 'alias'), 60);
    if (!alias && !issues.some((issue) => issue.column === byField.get('alias'))) problem(issues, cellOf(row, 'alias'), 'required');

    // Her age: a child's record follows the child-protection path, which an import cannot take.
    if (birthYear !== null) {
      const age = yearsSince(birthYear, app.today);
      const adult = age > 18 || (age === 18 && birthDate !== null && birthDate.slice(5) <= app.today.slice(5));
      if (age < 18 || (age === 18 && birthDate !== null && !adult)) problem(issues, yearCell ?? birthDateCell, 'child');
      else if (age === 18 && birthDate === null) problem(issues, yearCell ?? birthDateCell, 'ageUnclear');
    }

    const legalName = limited(issues, cellOf(row, 'legalName'), 120);
    const idNumber = limited(issues, cellOf(row, 'idNumber'), 30);
    const address = limited(issues, cellOf(row, 'address'), 200);
    // A phone number needs her consent to be contacted, which a paper register does not show.
    const phoneCell = cellOf(row, 'phone');
    if (phoneCell && text(phoneCell.value)) problem(issues, phoneCell, 'contactConsent', 'warning');
    const identity = legalName || idNumber || address ? { legalName, idNumber, address } : null;

    // Her ward, brought forward to 2025 by the conversion table.
    let wardCode: number | null = null;
    const wardCell = cellOf(row, 'ward');
    const districtCell = cellOf(row, 'district');
    const wardValue = wardCell ? wardCell.value : null;
    const districtText = districtCell ? text(districtCell.value) || null : null;
    if ((wardValue !== null && text(wardValue) !== '') || districtText) {
      const reading = readWard(typeof wardValue === 'number' ? wardValue : text(wardValue) || null, districtText);
      if (reading.kind === 'ward' || reading.kind === 'converted') wardCode = reading.ward.code;
      else if (reading.kind === 'choose') {
        const key = `${text(wardValue)}|${districtText ?? ''}`;
        const choice = wardChoices.get(key) ?? {
          key,
          oldName: reading.from.map((old) => old.name).filter((name, i, all) => all.indexOf(name) === i).join(' / ') || text(wardValue),
          districtName: reading.from.map((old) => old.district).filter((name, i, all) => all.indexOf(name) === i).join(' / ') || (districtText ?? ''),
          rows: 0,
          options: reading.candidates.map((ward) => ({ code: ward.code, name: ward.name })),
          chosen: null,
        };
        choice.rows += 1;
        const chosen = plan.wards[key];
        if (chosen !== undefined && choice.options.some((option) => option.code === chosen)) {
          choice.chosen = chosen;
          wardCode = chosen;
        } else problem(issues, wardCell ?? districtCell, 'wardSplit', 'warning');
        wardChoices.set(key, choice);
      } else problem(issues, wardCell ?? districtCell, 'wardUnknown', 'warning');
    }

    const registeredOn = dateOf(issues, cellOf(row, 'registeredOn'), 'registeredOn');
    const consentOn = dateOf(issues, cellOf(row, 'consentOn'), 'consentOn');

    // The visit the row records, if it names a date: its services and place.
    let visit: RowFacts['visit'] = null;
    const visitCell = cellOf(row, 'visitOn');
    const visitOn = dateOf(issues, visitCell, 'visitOn', 'warning');
    if (visitOn) {
      const services = new Set<number>();
      let unknown = false;
      const servicesCell = cellOf(row, 'services');
      for (const word of servicesCell ? serviceWordsOf(text(servicesCell.value)) : []) {
        const meaning = meaningOf.services.get(word);
        if (typeof meaning === 'number' && active.has(meaning)) services.add(meaning);
        else unknown = true;
      }
      if (unknown) problem(issues, servicesCell, 'valueUnmapped', 'warning');
      for (const mark of marks) if (active.has(mark.serviceTypeId) && isMark(text(row[mark.column] ?? null))) services.add(mark.serviceTypeId);
      const placeCell = cellOf(row, 'place');
      const placeWord = placeCell ? text(placeCell.value) : '';
      let place: string = plan.defaultPlace;
      if (placeWord) {
        const meaning = meaningOf.place.get(placeWord);
        if (typeof meaning === 'string' && (VISIT_PLACES as readonly string[]).includes(meaning)) place = meaning;
        else problem(issues, placeCell, 'valueUnmapped', 'warning');
      }
      if (services.size === 0) problem(issues, servicesCell ?? visitCell, 'noServices', 'warning');
      else visit = { visitOn, place, serviceTypeIds: [...services].sort((a, b) => a - b) };
    }
    // The referral the row records, if it names a date: its service and what became of it.
    let referral: RowFacts['referral'] = null;
    const referralOn = dateOf(issues, cellOf(row, 'referralOn'), 'referralOn', 'warning');
    if (referralOn) {
      const serviceCell = cellOf(row, 'referralService');
      const serviceWord = serviceCell ? text(serviceCell.value) : '';
      const service = serviceWord ? meaningOf.services.get(serviceWord) : null;
      const statusCell = cellOf(row, 'referralStatus');
      const statusWord = statusCell ? text(statusCell.value) : '';
      const status = statusWord ? meaningOf.referralStatus.get(statusWord) : 'sent';
      if (typeof service !== 'number' || !active.has(service)) problem(issues, serviceCell ?? cellOf(row, 'referralOn'), 'noReferralService', 'warning');
      else if (typeof status !== 'string' || !(REFERRAL_STATUSES as readonly string[]).includes(status)) problem(issues, statusCell, 'valueUnmapped', 'warning');
      else referral = { on: referralOn, serviceTypeId: service, status: status as ReferralStatus };
    }
    const facts = JSON.stringify([code, alias, birthYear, sex, wardCode, legalName, idNumber, address]);
    return { rowNumber, index, issues, fileNumber, code, alias, birthYear, sex, wardCode, identity, registeredOn, consentOn, visit, referral, facts };
  }

  // First pass: each row read, and the rows of one person (one file number) put together.
  interface Person {
    first: RowFacts;
    rows: RowFacts[];
    outcome: RowOutcome;
    decision: DuplicateDecision | null;
    sameAs: PreviewRow['sameAs'];
    /** The code she will have (a new suffix for a different person). */
    code: string | null;
    /** Where her visits go: a new person (this one, or the earlier row she merges into) or a record of the app. */
    into: { person: Person } | { clientId: number } | null;
  }
  const persons: Person[] = [];
  const personOfRow = new Map<number, Person>();
  const byFileNumber = new Map<string, Person>();
  for (const [i, row] of table.rows.entries()) {
    const facts = readRow(row, table.rowNumbers[i]!, i);
    const earlier = facts.fileNumber ? byFileNumber.get(facts.fileNumber) : undefined;
    if (earlier) {
      earlier.rows.push(facts);
      personOfRow.set(facts.rowNumber, earlier);
      continue;
    }
    const person: Person = { first: facts, rows: [facts], outcome: 'create', decision: null, sameAs: null, code: facts.code, into: null };
    persons.push(person);
    personOfRow.set(facts.rowNumber, person);
    if (facts.fileNumber) byFileNumber.set(facts.fileNumber, person);
  }

  // Second pass: who each person is: an error, without consent, in the app already, on an earlier row, or new.
  const suffixes = new Map<string, number>();
  const baseOf = (code: string) => code.split('.')[0]!;
  for (const [code] of app.codes) {
    const base = baseOf(code);
    suffixes.set(base, Math.max(suffixes.get(base) ?? 1, Number(code.split('.')[1] ?? 1)));
  }
  // Every code the sheet holds is taken before a suffix is given out ("X.2" on a later row stays its own).
  for (const person of persons) {
    const code = person.first.code;
    if (code) suffixes.set(baseOf(code), Math.max(suffixes.get(baseOf(code)) ?? 1, Number(code.split('.')[1] ?? 1)));
  }
  const firstWithCode = new Map<string, Person>();
  for (const person of persons) {
    const { first } = person;
    // A child then is on the child-protection path, whatever her age now: on her earliest date in the register.
    const earliest = person.rows.flatMap((row) => [row.registeredOn, row.consentOn, row.visit?.visitOn ?? null, row.referral?.on ?? null]).filter((date): date is string => date !== null).sort()[0];
    if (earliest && first.birthYear !== null && yearsSince(first.birthYear, earliest) < 18 && !first.issues.some((issue) => issue.problem === 'child')) {
      first.issues.push({ column: byField.get('birthYear') ?? byField.get('birthDate') ?? null, problem: 'child', severity: 'error', value: String(first.birthYear) });
    }
    if (first.issues.some((issue) => issue.severity === 'error') || first.code === null) {
      person.outcome = 'error';
      continue;
    }
    if (!first.consentOn && !plan.consentStatement) {
      person.outcome = 'noConsent';
      first.issues.push({ column: byField.get('consentOn') ?? null, problem: 'consentMissing', severity: 'error', value: null });
      continue;
    }
    const code = first.code;
    const holder = app.codes.get(code);
    const earlier = firstWithCode.get(code);
    if (holder !== undefined) {
      person.outcome = 'existing';
      person.sameAs = { clientId: holder, rowNumber: null, code };
      person.decision = plan.decisions[String(first.rowNumber)] ?? plan.duplicates.existing;
      if (person.decision === 'merge') person.into = { clientId: holder };
    } else if (earlier) {
      person.outcome = 'inFile';
      person.sameAs = { clientId: null, rowNumber: earlier.first.rowNumber, code };
      person.decision = plan.decisions[String(first.rowNumber)] ?? plan.duplicates.inFile;
      if (person.decision === 'merge') person.into = earlier.into;
    } else {
      person.into = { person };
    }
    if (person.decision === 'new') {
      const base = baseOf(code);
      const next = (suffixes.get(base) ?? 1) + 1;
      suffixes.set(base, next);
      person.code = `${base}.${next}`;
      person.into = { person };
    }
    // The first person with a code not in the app is the one later rows with it are the same as.
    if (person.outcome === 'create') firstWithCode.set(code, person);
    if (person.outcome === 'create') suffixes.set(baseOf(code), Math.max(suffixes.get(baseOf(code)) ?? 1, Number(code.split('.')[1] ?? 1)));
  }

  // The records of the app that visits go into: may they be written to, and what visits they hold.
  const mergedInto = [...new Set(persons.flatMap((person) => (person.into && 'clientId' in person.into ? [person.into.clientId] : [])))];
  const records = mergedInto.length ? await app.records(mergedInto) : new Map();

  // Third pass: each person's visits, each new person's consent and dates; the rows' results.
  const create: PlannedClient[] = [];
  const planned = new Map<Person, PlannedClient>();
  const merge = new Map<number, PlannedMerge>();
  const seenVisits = new Map<string, Set<string>>();
  const rows: PreviewRow[] = [];
  const counts: ImportCounts = { rows: table.rows.length, create: 0, existing: 0, inFile: 0, visit: 0, error: 0, noConsent: 0, undecided: 0, clientsCreated: 0, clientsMerged: 0, visitsAdded: 0, referralsAdded: 0, consentExpired: 0 };
  const mergedRecords = new Set<number>();
  const laterRowColumns = new Set([...(['visitOn', 'services', 'place', 'referralOn', 'referralService', 'referralStatus'] as const).flatMap((field) => (byField.has(field) ? [byField.get(field)!] : [])), ...marks.map((mark) => mark.column)]);

  const plannedOf = (person: Person): PlannedClient => {
    let client = planned.get(person);
    if (!client) {
      const { first } = person;
      const dates = person.rows.flatMap((row) => [...(row.visit ? [row.visit.visitOn] : []), ...(row.referral ? [row.referral.on] : [])]);
      const givenOn = first.consentOn ?? first.registeredOn ?? dates.sort()[0] ?? app.today;
      const registeredOn = [first.registeredOn, first.consentOn, ...dates].filter((date): date is string => date !== null).sort()[0] ?? givenOn;
      const expiresOn = addToDate(givenOn, { months: DEFAULT_CONSENT_MONTHS });
      client = {
        rowNumber: first.rowNumber,
        code: person.code!,
        alias: first.alias!,
        birthYear: first.birthYear!,
        sex: first.sex!,
        wardCode: first.wardCode,
        identity: first.identity,
        registeredOn,
        consent: { basis: first.consentOn ? 'column' : 'statement', givenOn, expiresOn },
        visits: [],
        referrals: [],
      };
      planned.set(person, client);
      create.push(client);
      counts.clientsCreated += 1;
      if (expiresOn < app.today) counts.consentExpired += 1;
    }
    return client;
  };

  for (const person of persons) {
    const target = person.into;
    let refused: CellProblem | null = null;
    if (target && 'clientId' in target) {
      const record = records.get(target.clientId);
      if (!record) refused = 'recordRestricted';
      else if (record.writable === 'restricted') refused = 'recordRestricted';
      else if (record.writable === 'closed') refused = 'recordClosed';
      else if (record.writable === 'noConsent') refused = 'recordNoConsent';
    }
    if (person.outcome === 'create' || (target && 'person' in target && target.person === person)) plannedOf(person);
    for (const facts of person.rows) {
      const isFirst = facts === person.first;
      // A later row of one person is her visit or referral: only what is wrong with those is its own.
      const issues = isFirst ? [...facts.issues] : facts.issues.filter((issue) => (issue.column !== null && laterRowColumns.has(issue.column)) || LATER_ROW_PROBLEMS.has(issue.problem));
      let outcome: RowOutcome = isFirst ? person.outcome : 'visit';
      if (!isFirst) {
        // A later row of one person: her facts come from the first row.
        if (facts.facts !== person.first.facts && facts.code !== null) issues.push({ column: null, problem: 'differsFromFirstRow', severity: 'warning', value: null });
        if (person.outcome === 'error' || person.outcome === 'noConsent') outcome = person.outcome;
      }
      if (refused) issues.push({ column: null, problem: refused, severity: 'error', value: null });
      const undecided = (person.outcome === 'existing' || person.outcome === 'inFile') && person.decision === null;
      if (undecided && isFirst) issues.push({ column: null, problem: 'decisionNeeded', severity: 'error', value: null });
      let visitOn: string | null = null;
      let referralOn: string | null = null;
      if ((facts.visit || facts.referral) && target && !refused && !undecided && person.decision !== 'skip') {
        const owner = 'clientId' in target ? `c${target.clientId}` : `p${target.person.first.rowNumber}`;
        const seen = seenVisits.get(owner) ?? new Set('clientId' in target ? records.get(target.clientId)?.visits : []);
        seenVisits.set(owner, seen);
        const into = () => {
          if ('person' in target) return plannedOf(target.person);
          const merged: PlannedMerge = merge.get(target.clientId) ?? { workerId: records.get(target.clientId)?.workerId ?? null, visits: [], referrals: [] };
          merge.set(target.clientId, merged);
          mergedRecords.add(target.clientId);
          return merged;
        };
        if (facts.visit) {
          const key = visitKey(facts.visit.visitOn, facts.visit.serviceTypeIds);
          if (seen.has(key)) issues.push({ column: byField.get('visitOn') ?? null, problem: 'duplicateVisit', severity: 'warning', value: facts.visit.visitOn });
          else {
            seen.add(key);
            visitOn = facts.visit.visitOn;
            into().visits.push({ rowNumber: facts.rowNumber, ...facts.visit });
            counts.visitsAdded += 1;
          }
        }
        if (facts.referral) {
          const key = referralKey(facts.referral.on, facts.referral.serviceTypeId);
          if (seen.has(key)) issues.push({ column: byField.get('referralOn') ?? null, problem: 'duplicateReferral', severity: 'warning', value: facts.referral.on });
          else {
            seen.add(key);
            referralOn = facts.referral.on;
            into().referrals.push({ rowNumber: facts.rowNumber, ...facts.referral });
            counts.referralsAdded += 1;
          }
        }
      }
      if (isFirst && undecided) counts.undecided += 1;
      if (isFirst && person.outcome === 'inFile' && person.decision === 'merge' && target && 'person' in target) {
        // Merged into an earlier row's person: her earliest date may now be this row's.
        const client = plannedOf(target.person);
        for (const date of [facts.registeredOn, facts.consentOn]) if (date && date < client.registeredOn) client.registeredOn = date;
      }
      counts[outcome] += 1;
      const client = planned.get(person);
      rows.push({
        rowNumber: facts.rowNumber,
        outcome,
        decision: isFirst ? person.decision : null,
        code: isFirst ? (person.code ?? facts.code) : (person.code ?? person.first.code),
        alias: facts.alias ?? person.first.alias,
        sameAs: isFirst ? person.sameAs : { clientId: person.sameAs?.clientId ?? null, rowNumber: person.first.rowNumber, code: person.code },
        visitOn,
        referralOn,
        issues: isFirst && client && client.consent.expiresOn < app.today ? [...issues, { column: byField.get('consentOn') ?? null, problem: 'consentExpired', severity: 'warning', value: null }] : issues,
        converted: converted(table, table.rows[facts.index] ?? [], plan.columns),
      });
    }
  }
  // A merged person's registration date covers her visits too.
  for (const client of create) {
    for (const date of [...client.visits.map((visit) => visit.visitOn), ...client.referrals.map((referral) => referral.on)]) if (date < client.registeredOn) client.registeredOn = date;
  }
  counts.clientsMerged = mergedRecords.size;

  const missing: ImportReading['missing'] = [];
  if (!byField.has('alias')) missing.push('alias');
  if (!byField.has('code') && !byField.has('motherName') && !byField.has('fatherName')) missing.push('identity');
  if (!byField.has('birthYear') && !byField.has('birthDate') && !byField.has('code')) missing.push('birthYear');
  if (!byField.has('sex') && !byField.has('code')) missing.push('sex');
  if (!byField.has('consentOn') && !plan.consentStatement) missing.push('consent');
  rows.sort((a, b) => a.rowNumber - b.rowNumber);
  return { rows, counts, create, merge, values, wardChoices: [...wardChoices.values()], missing };
}

/** What a later row of one person can be wrong in: its visit or referral. */
const LATER_ROW_PROBLEMS = new Set<CellProblem>(['noServices', 'noReferralService', 'duplicateVisit', 'duplicateReferral']);

/** A two-digit year in the century that puts it no later than this year. */
function fullYearOf(twoDigits: number, today: string): number {
  const thisYear = Number(today.slice(0, 4));
  const century = Math.floor(thisYear / 100) * 100;
  return century + twoDigits > thisYear ? century - 100 + twoDigits : century + twoDigits;
}

/** The cells of a row made Unicode from an old font or code page (the preview shows them as stored). */
function converted(table: SheetTable, row: SheetCell[], columns: readonly ColumnTarget[]): PreviewRow['converted'] {
  const out: PreviewRow['converted'] = [];
  for (const [column, info] of table.columns.entries()) {
    if (info.encoding === 'unicode' || !columns[column]) continue;
    const value = text(row[column] ?? null);
    if (value) out.push({ column, text: value });
  }
  return out;
}
