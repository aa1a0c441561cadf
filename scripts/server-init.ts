/*
 * The centre's server, set up or upgraded by an administrator (README: "A centre on several
 * PCs"). Run from the owner account of the PostgreSQL server, once at setup and again after
 * each upgrade of the app:
 *   npm run server:init -- --host <server> --ca <ca.crt> --out <connection file> [--port 5432]
 *     [--database dong_hanh] [--owner postgres] [--role-prefix dh] [--new-login-password]
 * The owner's password is read from PGPASSWORD, or asked for on the terminal (not shown).
 * When it makes the app's roles (or a new login password) it writes the connection file each
 * PC's setup is given: the server's address and CA, and the passwords of the app's roles.
 * Keep that file like a key: it opens no record by itself, but the first PC's setup needs it.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { isAppError } from '../electron/core/app-error.ts';
import { provisionServer } from '../electron/core/vault/server-provision.ts';
import { rolesNamed } from '../electron/core/vault/server-connection.ts';
import { serverMigrations } from '../migrations/server/index.ts';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index >= 0) return process.argv[index + 1];
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const USAGE = 'Usage: npm run server:init -- --host <server> --ca <ca.crt> --out <connection file> [--port 5432] [--database dong_hanh] [--owner postgres] [--role-prefix dh] [--new-login-password]';

/** What went wrong, in both languages the app speaks (an administrator may read either). */
const FAILURES: Record<string, string> = {
  SERVER_UNREACHABLE: 'Không kết nối được máy chủ / Could not reach the server: check --host and --port, and that PostgreSQL is running.',
  SERVER_CERTIFICATE: 'Chứng chỉ máy chủ không khớp CA / The server\'s certificate is not signed by --ca (or TLS is off on the server).',
  SERVER_CREDENTIALS: 'Máy chủ từ chối tài khoản chủ / The server refused the owner account (wrong password, or pg_hba.conf does not let it in over TLS).',
  VALIDATION: 'Tên cơ sở dữ liệu hoặc tiền tố vai trò không hợp lệ / The database name and the role prefix may hold only a–z, 0–9 and _, and must not start with a digit.',
};

async function askHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({ write: (chunk, _encoding, done) => (muted ? done() : process.stdout.write(chunk, done)) });
  const reader = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolvePassword) => {
    reader.question(question, (answer) => {
      reader.close();
      process.stdout.write('\n');
      resolvePassword(answer);
    });
    muted = true;
  });
}

const host = argument('host');
const caFile = argument('ca');
const out = argument('out');
const port = Number(argument('port') ?? 5432);
if (!host || !caFile || !out || !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(USAGE);
  process.exit(2);
}
if (!existsSync(caFile)) {
  console.error(`Không thấy tệp CA / No CA file at ${resolve(caFile)}`);
  process.exit(2);
}
const outPath = resolve(out);
if (existsSync(outPath)) {
  console.error(`${outPath} đã có / already exists: choose a new file (a connection file is never overwritten).`);
  process.exit(2);
}
// A second database on the same server (a training copy) needs roles of its own.
const roles = rolesNamed(argument('role-prefix') ?? 'dh');
const owner = { user: argument('owner') ?? 'postgres', password: process.env.PGPASSWORD ?? (await askHidden(`Mật khẩu của / Password of ${argument('owner') ?? 'postgres'}: `)) };

try {
  const result = await provisionServer({
    address: { host, port, database: argument('database') ?? 'dong_hanh', ca: readFileSync(caFile, 'utf8') },
    owner,
    migrations: serverMigrations,
    newLoginPassword: process.argv.includes('--new-login-password'),
    roles,
  });
  console.log(result.createdDatabase ? 'Đã tạo cơ sở dữ liệu / Database created.' : 'Cơ sở dữ liệu đã có / Database already there.');
  if (result.createdRoles.length) console.log(`Đã tạo vai trò / Roles created: ${result.createdRoles.join(', ')}`);
  console.log(result.migrated.length ? `Đã chạy / Migrations applied: ${result.migrated.join(', ')}` : 'Không có thay đổi lược đồ / The schema was up to date.');
  console.log(`Đã đặt lại quyền / Rights granted again: ${roles.login} (keyring only), ${roles.app} (records; the audit trail append-only).`);
  if (result.connection) {
    writeFileSync(outPath, `${JSON.stringify(result.connection, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    console.log(`Tệp kết nối / Connection file: ${outPath}`);
    console.log('Giữ tệp này như một chìa khoá; mang tới từng máy khi thiết lập. / Keep it like a key; take it to each PC at its setup.');
    // Each PC's setup screen shows this fingerprint: whoever sets a PC up compares it with this one.
    console.log(`Dấu vân tay SHA-256 của chứng chỉ gốc / The CA's SHA-256 fingerprint: ${new X509Certificate(result.connection.ca).fingerprint256}`);
  }
} catch (error) {
  const code = isAppError(error) ? error.code : null;
  console.error(code && FAILURES[code] ? FAILURES[code] : `Thất bại / Failed: ${code ?? (error as Error).name}`);
  process.exit(1);
}
