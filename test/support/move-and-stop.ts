import { moveDataFolderOnce, type MoveStep } from '../../electron/main/data-folder.ts';

/*
 * Run the data folder's one-time move and kill this process (SIGKILL: nothing is tidied up)
 * at the n-th time it reaches `step`, as a power cut or a killed app would stop it there.
 * argv: earlier folder, new folder, step, n.
 */
const [earlier = '', folder = '', step = '', nth = '1'] = process.argv.slice(2);
let seen = 0;
moveDataFolderOnce(earlier, folder, () => {}, (reached: MoveStep) => {
  if (reached === step && ++seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
});
process.stdout.write('finished\n');
