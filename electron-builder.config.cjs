/**
 * Installers. Built with `npm run package` on a machine that can download Electron
 * (Windows for the NSIS installer; Linux for the deb). Nothing is compiled: the database
 * module ships one prebuilt Node-API file per platform, which Electron loads as it is.
 *
 * Signing: electron-builder signs the Windows installer and executable when a certificate is
 * configured (CSC_LINK / WIN_CSC_LINK and CSC_KEY_PASSWORD in the environment); with one
 * configured, a build that cannot sign fails instead of shipping unsigned.
 * @type {import('electron-builder').Configuration}
 */
const signingConfigured = Boolean(process.env.CSC_LINK || process.env.WIN_CSC_LINK);

module.exports = {
  appId: 'vn.dong-hanh.desktop',
  productName: 'Dong Hanh',
  executableName: 'dong-hanh',
  copyright: 'Đồng Hành',
  directories: { output: 'release', buildResources: 'resources' },
  files: [
    'out/**/*',
    '!out/**/*.map',
    'package.json',
    'resources/icon.png',
    // The database module's C sources and the prebuilt files of platforms we do not ship.
    '!node_modules/better-sqlite3-multiple-ciphers/{deps,src}/**',
    '!node_modules/better-sqlite3-multiple-ciphers/binding.gyp',
    '!node_modules/better-sqlite3-multiple-ciphers/prebuilds/{darwin-*,linuxmusl-*,*-arm64}.node',
  ],
  asar: true,
  // Only a native add-on must live outside the archive to be loaded. (The LP solver reads its
  // WebAssembly through a URL, which the archive layer serves.)
  asarUnpack: ['node_modules/better-sqlite3-multiple-ciphers/prebuilds/**'],
  // Nothing to rebuild: the add-on is Node-API, prebuilt for Node and Electron alike.
  npmRebuild: false,
  buildDependenciesFromSource: false,
  forceCodeSigning: signingConfigured,
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
    // The deb only: its post-install script sets up Chromium's sandbox (the setuid helper
    // where user namespaces are off) and, on Ubuntu 24.04 and later, an AppArmor profile that
    // allows them. An AppImage cannot: its launcher falls back to --no-sandbox, and it needs
    // libfuse2, which Ubuntu 22.04 and later no longer install.
    target: [{ target: 'deb', arch: ['x64'] }],
    icon: 'resources/icon.png',
    category: 'Office',
    maintainer: 'Đồng Hành engineers',
    synopsis: 'Social work case records',
    artifactName: 'dong-hanh-${version}-${arch}.${ext}',
  },
};
