import { clientCode } from '../../electron/contract/client-code.ts';
import { CONSENT_TEXTS, currentConsentText } from '../../electron/contract/consent-texts.ts';
import { WARDS } from '../../electron/contract/clients.ts';
import { foldForSearch } from '../../electron/contract/text.ts';
import { CLOSE_REASONS, SEXES, VISIT_PLACES, WORK_SETTINGS, type Sex } from '../../electron/contract/vocabulary.ts';
import { addToDate, daysBetween, localDate } from '../../electron/core/clock.ts';
import { createCore, type CoreApp } from '../../electron/core/index.ts';
import type { ScryptParams } from '../../electron/core/vault/kdf.ts';
import { sqliteOf } from './file-store.ts';

/*
 * Obviously synthetic, Vietnamese-looking case records for training sessions, demos and
 * benchmarks. Every name says it is a sample ("Thử", "Mẫu", "Tập Huấn" and a number); phone
 * numbers start 0000; nothing here is, or could be mistaken for, a real person.
 * Deterministic for a given seed. Accounts and partners go through the gate; the bulk of the
 * records is written with prepared statements in large transactions (the gate would take an
 * hour for a million services).
 */

export interface SeedOptions {
  dir: string;
  clients: number;
  password: string;
  seed?: number;
  calibrateKdf?: () => Promise<ScryptParams>;
  /** Progress lines (counts only, never data). */
  log?: (line: string) => void;
  today?: Date;
}

export interface SeedSummary {
  clients: number;
  visits: number;
  services: number;
  referrals: number;
  anonymousContacts: number;
  usernames: string[];
  ms: number;
}

const GIVEN = ['Hoa', 'Lan', 'Mai', 'Hương', 'Thảo', 'Ngọc', 'Trang', 'Linh', 'Hằng', 'Yến', 'Nhung', 'Phương', 'Quỳnh', 'Vy', 'Thu', 'Hạnh', 'Dung', 'Tuyết', 'Loan', 'Diệu'];
const FATHERS = ['Hùng', 'Dũng', 'Minh', 'Tuấn', 'Bình', 'Sơn', 'Hải', 'Long', 'Phúc', 'Thắng', 'Đức', 'Quang', 'Nam', 'Tâm', 'Khoa'];
const MARKERS = ['Thử', 'Mẫu', 'Tập Huấn'];
const FAMILY = ['Đặng', 'Nguyễn', 'Trần', 'Lê', 'Phạm', 'Võ', 'Huỳnh', 'Bùi', 'Đỗ', 'Dương'];
const PARTNERS: [string, string, string][] = [
  ['Phòng khám Mẫu HIV/STI số 1 (tập huấn)', 'hiv_sti_clinic', 'hiv_testing'],
  ['Phòng khám Mẫu HIV/STI số 2 (tập huấn)', 'hiv_sti_clinic', 'health_check_sti'],
  ['Phòng khám Mẫu PrEP (tập huấn)', 'hiv_sti_clinic', 'prep'],
  ['Phòng khám Mẫu ARV (tập huấn)', 'hiv_sti_clinic', 'art_linkage'],
  ['Cơ sở Methadone Mẫu (tập huấn)', 'methadone_clinic', 'methadone'],
  ['Ngân hàng CSXH Mẫu (tập huấn)', 'bank_branch', 'loan_support'],
  ['Trường nghề Mẫu (tập huấn)', 'vocational_school', 'vocational_training'],
  ['Trung tâm việc làm Mẫu (tập huấn)', 'other', 'job_placement'],
  ['Trợ giúp pháp lý Mẫu (tập huấn)', 'legal_aid', 'legal_counselling'],
  ['Nhà tạm lánh Mẫu (tập huấn)', 'shelter', 'emergency_shelter'],
];

function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

async function ok<T>(app: CoreApp, channel: string, input: unknown): Promise<T> {
  const result = await app.gate.invoke(channel, input);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}`);
  return result.value as T;
}

export async function seedVault(options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const random = prng(options.seed ?? 20261128);
  const now = options.today ?? new Date();
  const today = localDate(now);
  const app = createCore({ dataDir: options.dir, training: true, calibrateKdf: options.calibrateKdf, clock: { now: () => now.getTime() }, log });
  const password = options.password;

  const begun = await ok<{ recoveryCode: string; confirmGroup: number }>(app, 'setup.begin', {
    centreName: 'Trung tâm Tập huấn Đồng Hành',
    centreCode: 'TAPHUAN',
    adminUsername: 'quantri',
    adminDisplayName: 'Quản Trị Tập Huấn',
    adminPassword: password,
    language: 'vi',
  });
  await ok(app, 'setup.complete', { confirmation: begun.recoveryCode.split('-')[begun.confirmGroup - 1] });
  const people: [string, string, string[]][] = [
    ['quanly', 'Quản Lý Tập Huấn', ['manager']],
    ...Array.from({ length: 8 }, (_, i): [string, string, string[]] => [`canbo${String(i + 1).padStart(2, '0')}`, `Cán Bộ Tập Huấn ${String(i + 1).padStart(2, '0')}`, ['worker']]),
  ];
  const workerIds: number[] = [];
  let managerId = 0;
  for (const [username, displayName, roles] of people) {
    const user = await ok<{ id: number }>(app, 'users.create', { username, displayName, roles, temporaryPassword: password });
    if (roles.includes('worker')) workerIds.push(user.id);
    if (roles.includes('manager')) managerId = user.id;
  }
  const partnerIds: { id: number; service: string }[] = [];
  for (const [name, kind, service] of PARTNERS) {
    const partner = await ok<{ id: number }>(app, 'partners.save', { id: null, name, kind, wardCode: random.pick(WARDS.wards).code, contact: '0000 000 000', version: null });
    partnerIds.push({ id: partner.id, service });
  }
  const sqlite = sqliteOf(app.core);
  // Training accounts start with the given password, no forced change.
  sqlite.prepare('update user set must_change_password = 0').run();
  const types = new Map((sqlite.prepare('select code, id from service_type').all() as { code: string; id: number }[]).map((row) => [row.code, row.id]));
  const serviceTypeIds = [...types.entries()].filter(([code]) => code !== 'child_protection').map(([, id]) => id);
  const childProtection = types.get('child_protection') ?? 0;

  const insert = {
    client: sqlite.prepare(
      `insert into client (code, alias, alias_folded, birth_year, sex, ward_code, province_code, work_setting, child_path, status, assigned_worker_id, registered_on, registered_by, last_contact_on, next_follow_up_on, open_referrals)
       values (@code, @alias, @aliasFolded, @birthYear, @sex, @ward, @province, @work, @child, @status, @worker, @registeredOn, @worker, @lastContact, @nextFollowUp, @openReferrals)`,
    ),
    identity: sqlite.prepare(
      'insert into client_identity (client_id, legal_name, legal_name_folded, phone, id_number, address, updated_at, updated_by) values (?, ?, ?, ?, null, null, ?, ?)',
    ),
    consent: sqlite.prepare(
      `insert into consent (client_id, purpose, partner_id, method, given_by, witness, scope, text_version, text_language, text_shown, given_on, expires_on, recorded_by, recorded_at)
       values (?, ?, ?, 'written', ?, null, null, ?, 'vi', ?, ?, ?, ?, ?)`,
    ),
    event: sqlite.prepare('insert into case_event (client_id, kind, reason, worker_id, on_date, by_user, at) values (?, ?, ?, ?, ?, ?, ?)'),
    holding: sqlite.prepare(`insert into assignment (client_id, worker_id, started_on, ended_on, how, offer_id, by_user, at) values (?, ?, ?, null, 'registered', null, ?, ?)`),
    review: sqlite.prepare('insert into case_review (client_id, reviewer_id, reviewed_on, comment, at) values (?, ?, ?, null, ?)'),
    visit: sqlite.prepare('insert into visit (client_id, visit_on, place, outcome, note, worker_id, recorded_at) values (?, ?, ?, null, ?, ?, ?)'),
    service: sqlite.prepare('insert into service (visit_id, client_id, service_type_id, service_on, worker_id) values (?, ?, ?, ?, ?)'),
    followUp: sqlite.prepare('insert into follow_up (client_id, due_on, done_on, visit_id, created_by) values (?, ?, null, ?, ?)'),
    referral: sqlite.prepare(
      `insert into referral (client_id, partner_id, service_type_id, consent_id, status, proposed_on, sent_on, received_on, completed_on, declined_on, lost_on, due_on, note, created_by, created_at)
       values (@client, @partner, @type, @consent, @status, @proposed, @sent, @received, @completed, @declined, @lost, @due, null, @worker, @at)`,
    ),
    // As core keeps them (db/anonymous-contacts.ts): a random id and the first day of the month.
    anonymous: sqlite.prepare(`insert or ignore into anonymous_contact (id, contact_on, age_band, sex, place) values (?, substr(?, 1, 7) || '-01', ?, ?, ?)`),
    anonymousService: sqlite.prepare('insert into anonymous_service (contact_id, service_type_id) values (?, ?)'),
  };

  const at = now.toISOString();
  const codes = new Set<string>();
  const counts = { visits: 0, services: 0, referrals: 0, anonymousContacts: 0 };
  const caseText = { adult: currentConsentText('case_record', 'adult'), child: currentConsentText('case_record', 'child') };
  const shareText = currentConsentText('share_partner', 'adult');
  const contactText = currentConsentText('contact', 'adult');
  const reportsText = currentConsentText('reports', 'adult');
  const year = now.getFullYear();
  const batch = 2000;

  for (let start = 0; start < options.clients; start += batch) {
    sqlite.transaction(() => {
      for (let n = start; n < Math.min(options.clients, start + batch); n++) {
        const child = random.chance(0.02);
        const birthYear = child ? random.int(year - 17, year - 13) : random.int(year - 60, year - 19);
        const sex: Sex = random.chance(0.82) ? 'female' : random.pick(SEXES);
        let code = clientCode({ motherName: random.pick(GIVEN), fatherName: random.pick(FATHERS), birthYear, sex });
        if (codes.has(code)) {
          let suffix = 2;
          while (codes.has(`${code}.${suffix}`)) suffix++;
          code = `${code}.${suffix}`;
        }
        codes.add(code);
        const alias = `${random.pick(GIVEN)} ${random.pick(MARKERS)} ${String(n + 1).padStart(6, '0')}`;
        const worker = random.pick(workerIds);
        const registeredOn = addToDate(today, { days: -random.int(0, 3 * 365) });
        const closed = random.chance(0.1);
        const visitDates = Array.from({ length: random.int(1, 9) }, () => addToDate(today, { days: -random.int(0, Math.max(0, daysBetween(registeredOn, today))) })).sort();
        const lastContact = visitDates.at(-1) ?? null;
        const nextFollowUp = !closed && random.chance(0.4) ? addToDate(today, { days: random.int(-20, 30) }) : null;
        const referralCount = random.int(1, 3);
        const statuses = Array.from({ length: referralCount }, () => random.pick(['proposed', 'sent', 'received', 'completed', 'completed', 'completed', 'declined', 'lost'] as const));
        const openReferrals = statuses.filter((status) => status === 'proposed' || status === 'sent' || status === 'received').length + (child ? 1 : 0);

        const clientId = Number(
          insert.client.run({
            code,
            alias,
            aliasFolded: foldForSearch(alias),
            birthYear,
            sex,
            ward: random.chance(0.9) ? random.pick(WARDS.wards).code : null,
            province: random.chance(0.7) ? random.int(1, 96) : null,
            work: random.chance(0.7) ? random.pick(WORK_SETTINGS) : null,
            child: child ? 1 : 0,
            status: closed ? 'closed' : 'open',
            worker,
            registeredOn,
            lastContact,
            nextFollowUp,
            openReferrals,
          }).lastInsertRowid,
        );
        const text = child ? caseText.child : caseText.adult;
        const expires = addToDate(registeredOn, { months: 12 + 12 * Math.floor(daysBetween(registeredOn, today) / 365) });
        insert.consent.run(clientId, 'case_record', null, child ? 'guardian' : 'client', text, CONSENT_TEXTS[text].vi, registeredOn, expires, worker, at);
        // Most agree to anonymous numbers in reports.
        if (random.chance(0.85)) insert.consent.run(clientId, 'reports', null, child ? 'guardian' : 'client', reportsText, CONSENT_TEXTS[reportsText].vi, registeredOn, expires, worker, at);
        if (random.chance(0.5)) {
          const legalName = `${random.pick(FAMILY)} Thị Mẫu ${String(n + 1).padStart(6, '0')}`;
          // A phone only with consent to be contacted, as the app requires.
          const phone = random.chance(0.6) ? `0000 ${String(n % 1000).padStart(3, '0')} ${String(n % 997).padStart(3, '0')}` : null;
          if (phone) insert.consent.run(clientId, 'contact', null, child ? 'guardian' : 'client', contactText, CONSENT_TEXTS[contactText].vi, registeredOn, expires, worker, at);
          insert.identity.run(clientId, legalName, foldForSearch(legalName), phone, at, worker);
        }
        insert.event.run(clientId, 'opened', null, worker, registeredOn, worker, at);
        insert.holding.run(clientId, worker, registeredOn, worker, at);
        if (!closed && random.chance(0.3)) {
          const reviewedOn = addToDate(today, { days: -random.int(0, Math.min(365, daysBetween(registeredOn, today))) });
          insert.review.run(clientId, managerId, reviewedOn, at);
        }
        if (closed) insert.event.run(clientId, 'closed', random.pick(CLOSE_REASONS), worker, lastContact ?? registeredOn, worker, at);

        let lastVisit = 0;
        for (const visitOn of visitDates) {
          const note = random.chance(0.2) ? `Ghi chú tập huấn số ${counts.visits + 1}` : null;
          lastVisit = Number(insert.visit.run(clientId, visitOn, random.pick(VISIT_PLACES), note, worker, at).lastInsertRowid);
          counts.visits++;
          const first = random.pick(serviceTypeIds);
          const second = random.pick(serviceTypeIds.filter((id) => id !== first));
          for (const type of [first, second]) {
            insert.service.run(lastVisit, clientId, type, visitOn, worker);
            counts.services++;
          }
        }
        if (nextFollowUp) insert.followUp.run(clientId, nextFollowUp, lastVisit || null, worker);

        const consentFor = new Map<number, number>();
        statuses.forEach((status) => {
          const partner = random.pick(partnerIds);
          if (!consentFor.has(partner.id)) {
            consentFor.set(partner.id, Number(insert.consent.run(clientId, 'share_partner', partner.id, child ? 'guardian' : 'client', shareText, CONSENT_TEXTS[shareText].vi, registeredOn, expires, worker, at).lastInsertRowid));
          }
          const proposed = addToDate(registeredOn, { days: random.int(0, Math.max(0, daysBetween(registeredOn, today))) });
          const step = (days: number) => (addToDate(proposed, { days }) > today ? today : addToDate(proposed, { days }));
          const reached = (target: string) => ['sent', 'received', 'completed'].indexOf(status) >= ['sent', 'received', 'completed'].indexOf(target);
          insert.referral.run({
            client: clientId,
            partner: partner.id,
            type: types.get(partner.service) ?? firstOf(serviceTypeIds),
            consent: consentFor.get(partner.id) ?? null,
            status,
            proposed,
            sent: status !== 'proposed' && status !== 'declined' && status !== 'lost' && reached('sent') ? step(2) : null,
            received: reached('received') && status !== 'sent' && status !== 'proposed' ? step(5) : null,
            completed: status === 'completed' ? step(10) : null,
            declined: status === 'declined' ? step(3) : null,
            lost: status === 'lost' ? step(30) : null,
            due: addToDate(proposed, { days: 14 }),
            worker,
            at,
          });
          counts.referrals++;
        });
        if (child) {
          insert.referral.run({ client: clientId, partner: null, type: childProtection, consent: null, status: 'proposed', proposed: registeredOn, sent: null, received: null, completed: null, declined: null, lost: null, due: addToDate(registeredOn, { days: 7 }), worker, at });
          counts.referrals++;
        }
      }
    })();
    log(`  ${Math.min(options.clients, start + batch)} / ${options.clients} clients`);
  }

  // What core keeps on each client row, computed once for all of them.
  sqlite.exec(`update client set
    next_referral_due_on = (select min(due_on) from referral where referral.client_id = client.id and +status in ('proposed', 'sent', 'received')),
    last_reviewed_on = (select max(reviewed_on) from case_review where case_review.client_id = client.id)`);

  sqlite.transaction(() => {
    for (let n = 0; n < Math.ceil(options.clients / 10); n++) {
      const contactId = random.int(1, 2 ** 47 - 1);
      const stored = insert.anonymous.run(contactId, addToDate(today, { days: -random.int(0, 365) }), random.pick(['18_24', '25_34', '35_49', '50_plus'] as const), random.pick(SEXES), random.pick(VISIT_PLACES));
      if (stored.changes === 0) continue;
      insert.anonymousService.run(contactId, random.pick(serviceTypeIds));
      counts.anonymousContacts++;
    }
  })();
  // No ANALYZE / `pragma optimize`: SQLite's statistics tables keep sample index values
  // (codes, names), which erasure would not reach.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await app.core.shutdown();
  return { clients: options.clients, ...counts, usernames: ['quantri', ...people.map(([username]) => username)], ms: Math.round(performance.now() - started) };
}

function firstOf<T>(items: readonly T[]): T {
  return items[0] as T;
}
