import { sql, type Kysely } from 'kysely';

/*
 * Clients, consent, visits, services, referrals, partners, anonymous contacts.
 * Frozen in time: never import app code here (lists are written out).
 */

export const SERVICE_CATALOGUE: [code: string, group: string, vi: string, en: string][] = [
  ['legal_counselling', 'legal', 'Tư vấn pháp lý', 'Legal counselling'],
  ['psychological_counselling', 'psychological', 'Tư vấn tâm lý', 'Psychological counselling'],
  ['health_check_sti', 'health_sti', 'Khám sức khoẻ / bệnh lây truyền qua đường tình dục', 'Health check / STI'],
  ['hiv_testing', 'hiv_testing', 'Xét nghiệm HIV', 'HIV testing'],
  ['prep', 'prep', 'Dự phòng trước phơi nhiễm (PrEP)', 'Pre-exposure prophylaxis (PrEP)'],
  ['art_linkage', 'art', 'Kết nối điều trị ARV', 'HIV treatment (ART) linkage'],
  ['methadone', 'methadone', 'Điều trị thay thế bằng Methadone', 'Methadone (opioid substitution) treatment'],
  ['harm_reduction_supplies', 'harm_reduction', 'Vật dụng giảm hại (bao cao su, bơm kim tiêm…)', 'Harm-reduction supplies'],
  ['vocational_training', 'vocational_training', 'Đào tạo nghề', 'Vocational training'],
  ['job_placement', 'job_placement', 'Giới thiệu việc làm', 'Job placement'],
  ['loan_support', 'loan', 'Hỗ trợ vay vốn Ngân hàng Chính sách xã hội', 'Bank for Social Policies loan support'],
  ['peer_group', 'peer_group', 'Nhóm đồng đẳng / tự lực', 'Peer or self-help group'],
  ['emergency_shelter', 'emergency_shelter', 'Hỗ trợ khẩn cấp / nơi tạm lánh', 'Emergency support or shelter'],
  ['gbv_support', 'gbv', 'Hỗ trợ nạn nhân bạo lực giới', 'Gender-based violence support'],
  ['child_protection', 'child_protection', 'Chuyển gửi bảo vệ trẻ em', 'Child-protection referral'],
  ['other', 'other', 'Dịch vụ khác', 'Other service'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_type')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('service_group', 'text', (c) => c.notNull())
    .addColumn('name_vi', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .execute();
  await db
    .insertInto('service_type')
    .values(SERVICE_CATALOGUE.map(([code, group, vi, en], index) => ({ code, service_group: group, name_vi: vi, name_en: en, sort_order: (index + 1) * 10 })))
    .execute();

  await db.schema
    .createTable('partner')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ward_code', 'integer')
    .addColumn('contact', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('client')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('alias_folded', 'text', (c) => c.notNull())
    .addColumn('birth_year', 'integer', (c) => c.notNull())
    .addColumn('sex', 'text', (c) => c.notNull())
    .addColumn('ward_code', 'integer')
    .addColumn('province_code', 'integer')
    .addColumn('work_setting', 'text')
    .addColumn('child_path', 'integer', (c) => c.notNull().check(sql`child_path in (0, 1)`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('assigned_worker_id', 'integer', (c) => c.references('user.id'))
    .addColumn('registered_on', 'text', (c) => c.notNull())
    .addColumn('registered_by', 'integer', (c) => c.notNull().references('user.id'))
    // Kept up to date by core from visits, referrals and follow-ups, so the list can sort 100,000 rows.
    .addColumn('last_contact_on', 'text')
    .addColumn('next_follow_up_on', 'text')
    .addColumn('open_referrals', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('client_alias').on('client').column('alias_folded').execute();
  await db.schema.createIndex('client_worker').on('client').columns(['assigned_worker_id', 'status']).execute();
  await db.schema.createIndex('client_last_contact').on('client').column('last_contact_on').execute();
  await db.schema.createIndex('client_follow_up').on('client').column('next_follow_up_on').execute();

  // Restricted: visible to the assigned worker; others state a reason first.
  await db.schema
    .createTable('client_identity')
    .addColumn('client_id', 'integer', (c) => c.primaryKey().references('client.id'))
    .addColumn('legal_name', 'text')
    .addColumn('legal_name_folded', 'text')
    .addColumn('phone', 'text')
    .addColumn('id_number', 'text')
    .addColumn('address', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.notNull().references('user.id'))
    .execute();

  await db.schema
    .createTable('consent')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'integer', (c) => c.references('partner.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('given_by', 'text', (c) => c.notNull())
    .addColumn('witness', 'text')
    // For sharing with a partner: what may go on the referral slip beyond code and alias (JSON list).
    .addColumn('scope', 'text', (c) => c.check(sql`scope is null or json_valid(scope)`))
    .addColumn('text_version', 'text', (c) => c.notNull())
    .addColumn('text_language', 'text', (c) => c.notNull())
    .addColumn('text_shown', 'text', (c) => c.notNull())
    .addColumn('given_on', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_on', 'text')
    .addColumn('withdrawn_by', 'integer', (c) => c.references('user.id'))
    .addColumn('replaces_id', 'integer', (c) => c.references('consent.id'))
    .execute();
  await db.schema.createIndex('consent_client').on('consent').columns(['client_id', 'purpose']).execute();
  await db.schema.createIndex('consent_expiry').on('consent').column('expires_on').execute();

  await db.schema
    .createTable('case_event')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('opened', 'closed', 'reopened', 'assigned')`))
    .addColumn('reason', 'text')
    .addColumn('worker_id', 'integer', (c) => c.references('user.id'))
    .addColumn('on_date', 'text', (c) => c.notNull())
    .addColumn('by_user', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_event_client').on('case_event').column('client_id').execute();

  await db.schema
    .createTable('visit')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('visit_on', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('note', 'text')
    .addColumn('worker_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('visit_client').on('visit').columns(['client_id', 'visit_on']).execute();

  await db.schema
    .createTable('service')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('visit_id', 'integer', (c) => c.notNull().references('visit.id'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('service_type_id', 'integer', (c) => c.notNull().references('service_type.id'))
    .addColumn('service_on', 'text', (c) => c.notNull())
    .addColumn('worker_id', 'integer', (c) => c.notNull().references('user.id'))
    .execute();
  await db.schema.createIndex('service_client').on('service').columns(['client_id', 'service_on']).execute();
  await db.schema.createIndex('service_date_type').on('service').columns(['service_on', 'service_type_id']).execute();
  await db.schema.createIndex('service_visit').on('service').column('visit_id').execute();

  await db.schema
    .createTable('follow_up')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('done_on', 'text')
    .addColumn('visit_id', 'integer', (c) => c.references('visit.id'))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('user.id'))
    .execute();
  await db.schema.createIndex('follow_up_client').on('follow_up').columns(['client_id', 'done_on', 'due_on']).execute();

  await db.schema
    .createTable('referral')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('partner_id', 'integer', (c) => c.references('partner.id'))
    .addColumn('service_type_id', 'integer', (c) => c.notNull().references('service_type.id'))
    .addColumn('consent_id', 'integer', (c) => c.references('consent.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('proposed_on', 'text', (c) => c.notNull())
    .addColumn('sent_on', 'text')
    .addColumn('received_on', 'text')
    .addColumn('completed_on', 'text')
    .addColumn('declined_on', 'text')
    .addColumn('lost_on', 'text')
    .addColumn('due_on', 'text')
    .addColumn('note', 'text')
    .addColumn('created_by', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referral_client').on('referral').columns(['client_id', 'status']).execute();
  await db.schema.createIndex('referral_due').on('referral').columns(['status', 'due_on']).execute();

  // People who will not register: services are counted, persons are not.
  await db.schema
    .createTable('anonymous_contact')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('contact_on', 'text', (c) => c.notNull())
    .addColumn('age_band', 'text', (c) => c.notNull())
    .addColumn('sex', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('walk_in', 'deidentified')`))
    .addColumn('worker_id', 'integer', (c) => c.references('user.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('anonymous_service')
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('anonymous_contact.id'))
    .addColumn('service_type_id', 'integer', (c) => c.notNull().references('service_type.id'))
    .execute();
  await db.schema.createIndex('anonymous_contact_on').on('anonymous_contact').column('contact_on').execute();
  await db.schema.createIndex('anonymous_service_contact').on('anonymous_service').column('contact_id').execute();

  // "Break the glass": who looked at someone else's client's identity, and why.
  await db.schema
    .createTable('identity_access')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identity_access_at').on('identity_access').column('at').execute();
}

export async function down(): Promise<void> {
  throw new Error('The case-record migration cannot be undone.');
}
