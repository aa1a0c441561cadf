import type { Generated, Selectable } from 'kysely';

/** The database as Kysely sees it. Timestamps are ISO-8601 UTC strings; booleans are 0/1. */
export interface Database {
  setting: SettingTable;
  user: UserTable;
  user_role: UserRoleTable;
  audit_event: AuditEventTable;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: number | null;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  key_slot_id: string | null;
  active: number;
  must_change_password: number;
  language: 'vi' | 'en';
  created_at: string;
  created_by: number | null;
  last_login_at: string | null;
  deactivated_at: string | null;
}
export type UserRow = Selectable<UserTable>;

export interface UserRoleTable {
  user_id: number;
  role: 'worker' | 'manager' | 'admin';
}

export interface AuditEventTable {
  id: Generated<number>;
  at: string;
  actor_user_id: number | null;
  action: string;
  outcome: 'ok' | 'refused' | 'failed';
  error_code: string | null;
  target_type: string | null;
  target_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}
export type AuditEventRow = Selectable<AuditEventTable>;
