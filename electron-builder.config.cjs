/**
 * Installers. Built with `npm run package` on a machine that can download Electron
 * (Windows for the NSIS installer; Linux for AppImage and deb).
 * @type {import('electron-builder').Configuration}
 */
module.exports = {
  appId: 'vn.dong-hanh.desktop',
  productName: 'Dong Hanh',
  executableName: 'dong-hanh',
  copyright: 'Đồng Hành',
  directories: { output: 'release', buildResources: 'resources' },
  files: ['out/**/*', '!out/**/*.map', 'package.json', 'resources/icon.png'],
  asar: true,
  // The native database module must live outside the archive to be loaded; the LP solver's
  // WebAssembly is read from beside its module, kept outside too so no archive lookup is needed.
  asarUnpack: ['node_modules/better-sqlite3-multiple-ciphers/**', 'node_modules/highs/**'],
  // Rebuild native modules for Electron's ABI (prebuilt binaries where published).
  npmRebuild: true,
  // Electron fuses are flipped in our own after-pack step (scripts/after-pack.cjs).
  afterPack: './scripts/after-pack.cjs',
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'resources/icon.png',
    artifactName: 'dong-hanh-setup-${version}.${ext}',
  },
  nsis: {
    // Per-user install: no administrator rights needed on a shared office PC.
    oneClick: false,
    perMachine: false,
    allowElevation: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'Đồng Hành',
    uninstallDisplayName: 'Đồng Hành',
    // Uninstalling must never take the centre's records with it.
    deleteAppDataOnUninstall: false,
  },
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    icon: 'resources/icon.png',
    category: 'Office',
    maintainer: 'Đồng Hành engineers',
    synopsis: 'Social work case records',
    artifactName: 'dong-hanh-${version}-${arch}.${ext}',
  },
};
