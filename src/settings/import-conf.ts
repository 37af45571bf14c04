/** conf, loaded only to write settings (an ES module import(): see src/import-tui.ts). */
export const importConf = () => import('conf');
