/*
 * electron-builder after-pack step: flip Electron's fuses in the packaged binary, so the
 * shipped app cannot be turned into a general Node runtime or debugged from outside, and
 * loads only its own (integrity-checked) archive.
 */
const path = require('node:path');

/** The fuse settings, exported so a test can hold them. */
const FUSE_SETTINGS = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  EnableCookieEncryption: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};

function executablePath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin') return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return path.join(appOutDir, packager.executableName);
}

async function afterPack(context) {
  const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');
  const fuses = { version: FuseVersion.V1, resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' };
  for (const [name, value] of Object.entries(FUSE_SETTINGS)) fuses[FuseV1Options[name]] = value;
  await flipFuses(executablePath(context), fuses);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSE_SETTINGS = FUSE_SETTINGS;
module.exports.executablePath = executablePath;
