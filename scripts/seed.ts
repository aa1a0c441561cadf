/*
 * Training data: a vault filled with obviously synthetic records, for training sessions and
 * demos. The app opens it with `--data-dir <folder>` and shows a permanent training banner.
 *   npm run seed -- --dir <folder> --clients <n> --password <password>
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { seedVault } from '../test/support/synthetic.ts';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index >= 0) return process.argv[index + 1];
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const dir = argument('dir');
const clients = Number(argument('clients') ?? 200);
const password = argument('password');
if (!dir || !password || !Number.isInteger(clients) || clients < 1) {
  console.error('Usage: npm run seed -- --dir <folder> --clients <n> --password <password (10+ characters)>');
  process.exit(2);
}
if (password.length < 10) {
  console.error('The password needs at least 10 characters.');
  process.exit(2);
}
const folder = resolve(dir);
if (existsSync(folder) && readdirSync(folder).length > 0) {
  console.error(`${folder} is not empty: choose a new folder (an existing vault is never overwritten).`);
  process.exit(2);
}
mkdirSync(folder, { recursive: true });
console.log(`Creating a training vault with ${clients} synthetic clients in ${folder}…`);
const summary = await seedVault({ dir: folder, clients, password, log: (line) => console.log(line) });
console.log(
  `Done in ${(summary.ms / 1000).toFixed(1)} s: ${summary.clients} clients, ${summary.visits} visits, ${summary.services} services, ${summary.referrals} referrals, ${summary.anonymousContacts} anonymous contacts.`,
);
console.log(`Accounts (all with the password you gave): ${summary.usernames.join(', ')}`);
console.log(`Open it with: npm start -- --data-dir "${folder}"`);
