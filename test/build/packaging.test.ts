import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { dataDirFromArgs } from '../../electron/main/args.ts';
import { CONTENT_SECURITY_POLICY, resolveAppPath, serveAppFile } from '../../electron/main/app-protocol.ts';

const require = createRequire(import.meta.url);
const config = require('../../electron-builder.config.cjs');
const afterPack = require('../../scripts/after-pack.cjs');

/* Installers cannot be built here (no Electron binary); their configuration is held by tests. */
describe('packaging configuration', () => {
  it('is valid for electron-builder (its own schema check)', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('installs per user on Windows without admin rights, and builds only the deb for Linux, never without the sandbox', () => {
    expect(config.win.target[0].target).toBe('nsis');
    expect(config.nsis).toMatchObject({ perMachine: false, allowElevation: false, deleteAppDataOnUninstall: false });
    // An AppImage runs without Chromium's sandbox where user namespaces are refused, and needs libfuse2.
    expect(config.linux.target.map((t: { target: string }) => t.target)).toEqual(['deb']);
    expect(JSON.stringify(config)).not.toContain('no-sandbox');
  });

  it('compiles nothing: no rebuild of native modules, in packaging or after it', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.buildDependenciesFromSource).toBe(false);
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string>; allowScripts: Record<string, boolean> };
    for (const script of Object.values(manifest.scripts)) expect(script).not.toMatch(/rebuild|node-gyp|electron-native/);
    expect(manifest.devDependencies['node-gyp']).toBeUndefined();
    // The database module's inferred `node-gyp rebuild` is never approved; Node 22's own install step is.
    expect(manifest.allowScripts).toMatchObject({ 'better-sqlite3-multiple-ciphers': false, node: true });
    expect(manifest.devDependencies.node).toMatch(/^22\./);
    expect(existsSync('scripts/electron-native.mjs')).toBe(false);
  });

  it('signs when a certificate is configured, and then never ships unsigned', () => {
    const load = (env: Record<string, string | undefined>) => {
      const saved = { CSC_LINK: process.env.CSC_LINK, WIN_CSC_LINK: process.env.WIN_CSC_LINK };
      Object.assign(process.env, env);
      for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
      const path = require.resolve('../../electron-builder.config.cjs');
      delete require.cache[path];
      try {
        return require(path);
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
        delete require.cache[path];
      }
    };
    expect(load({ CSC_LINK: undefined, WIN_CSC_LINK: undefined }).forceCodeSigning).toBe(false);
    expect(load({ CSC_LINK: '/secure/centre-code-signing.pfx' }).forceCodeSigning).toBe(true);
  });

  it('unpacks only the native add-on from the asar and flips the fuses after packing', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['node_modules/better-sqlite3-multiple-ciphers/prebuilds/**']);
    // What core loads at run time is installed with the app, not bundled away.
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    for (const name of ['better-sqlite3-multiple-ciphers', 'kysely', 'zod', 'highs', 'exceljs', 'docx']) expect(manifest.dependencies[name], name).toBeDefined();
    expect(config.afterPack).toBe('./scripts/after-pack.cjs');
    expect(afterPack.FUSE_SETTINGS).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    });
    const { FuseV1Options } = require('@electron/fuses');
    for (const name of Object.keys(afterPack.FUSE_SETTINGS)) expect(FuseV1Options[name], name).toBeTypeOf('number');
  });

  it('points the fuse step at the packaged executable', () => {
    const context = (platform: string) => ({
      appOutDir: '/out',
      electronPlatformName: platform,
      packager: { appInfo: { productFilename: 'Dong Hanh' }, executableName: 'dong-hanh' },
    });
    expect(afterPack.executablePath(context('win32'))).toBe('/out/Dong Hanh.exe');
    expect(afterPack.executablePath(context('linux'))).toBe('/out/dong-hanh');
  });

  it('has a 512×512 icon and neutral names', () => {
    const png = readFileSync('resources/icon.png');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    for (const name of [config.productName, config.executableName, config.appId, config.win.artifactName, config.linux.artifactName]) {
      expect(name).not.toMatch(/sex|mại dâm|ban dam|mai dam|worker/i);
    }
  });
});

describe('the app:// protocol', () => {
  it('serves only files inside the renderer folder', () => {
    expect(resolveAppPath('/app/renderer', '/index.html')).toBe('/app/renderer/index.html');
    expect(resolveAppPath('/app/renderer', '/')).toBe('/app/renderer/index.html');
    expect(resolveAppPath('/app/renderer', '/assets/a.js')).toBe('/app/renderer/assets/a.js');
    for (const escape of ['/../main/index.js', '/%2e%2e/main/index.js', '/assets/../../x', '/a%00b', '/%E0%A4%A']) {
      expect(resolveAppPath('/app/renderer', escape), escape).toBeNull();
    }
  });

  it('sends a strict CSP with every response: no inline or remote scripts, no network', async () => {
    for (const path of ['/index.html', '/../../etc/passwd']) {
      const response = await serveAppFile('renderer', path);
      expect(response.headers.get('Content-Security-Policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('reads --data-dir in both forms', () => {
    expect(dataDirFromArgs(['electron', '.', '--data-dir', '/tmp/training'])).toBe('/tmp/training');
    expect(dataDirFromArgs(['electron', '.', '--data-dir=/tmp/training'])).toBe('/tmp/training');
    expect(dataDirFromArgs(['electron', '.'])).toBeNull();
  });
});

describe('the main process guards', async () => {
  const { isTrustedSender, shouldCancelRequest } = await import('../../electron/main/ipc-guard.ts');
  const contents = {};
  const top = { url: 'app://dong-hanh/index.html' };

  it('accepts gate calls only from the app window\'s own top frame', () => {
    expect(isTrustedSender({ sender: contents, appContents: contents, frame: top, mainFrame: top })).toBe(true);
    expect(isTrustedSender({ sender: {}, appContents: contents, frame: top, mainFrame: top })).toBe(false);
    expect(isTrustedSender({ sender: contents, appContents: contents, frame: { url: top.url }, mainFrame: top })).toBe(false);
    const foreign = { url: 'https://example.org/' };
    expect(isTrustedSender({ sender: contents, appContents: contents, frame: foreign, mainFrame: foreign })).toBe(false);
    expect(isTrustedSender({ sender: contents, appContents: null, frame: top, mainFrame: top })).toBe(false);
    expect(isTrustedSender({ sender: contents, appContents: contents, frame: null, mainFrame: top })).toBe(false);
  });

  it('cancels every request that is not for the app\'s own files', () => {
    expect(shouldCancelRequest('app://dong-hanh/assets/index.js', true)).toBe(false);
    for (const url of ['https://example.org/', 'http://localhost:5173/', 'ws://x/', 'file:///etc/passwd', 'app://other/index.html', 'devtools://devtools/x']) {
      expect(shouldCancelRequest(url, true), url).toBe(true);
    }
    expect(shouldCancelRequest('devtools://devtools/x', false)).toBe(false);
  });
});
