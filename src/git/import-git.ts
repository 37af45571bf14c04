/** isomorphic-git, loaded when git is first needed (an ES module import(): see src/import-tui.ts). */
export const importGit = () => import('isomorphic-git');
