import { startCluster } from './pg-cluster.ts';

/*
 * For the core suite run against the centre's server (`npm run test:pg`): one throwaway
 * PostgreSQL cluster with TLS for the whole run, started before the test files and removed
 * after them. Each test file's apps get databases of their own on it (store-under-test.ts);
 * the workers learn where it is from the environment they inherit.
 */
export default async function setup(): Promise<() => void> {
  const cluster = await startCluster();
  process.env.DH_TEST_PG = JSON.stringify({ host: cluster.host, port: cluster.port, ca: cluster.ca, owner: cluster.owner });
  return () => cluster.remove();
}
