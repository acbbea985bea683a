import { describe, expect, it } from 'vitest';
import { planPick, type PickCandidate } from '../../../src/restore/pick-plan.js';

const c = (key: string, dir: string, sub: 'cur' | 'new', name: string): PickCandidate => ({ key, fromAbs: `/snap/${key}`, dir, sub, name });

describe('planPick', () => {
  it('copies what is not live into the folder it was last seen in, under its own name; counts the rest', () => {
    const plan = planPick({ mode: 'merge', candidates: [c('a', '', 'cur', '1.M1:2,S'), c('b', '.Sent', 'new', '2.M2'), c('c', '.Old', 'cur', '3.M3:2,')], there: new Set(['b']), targetFolders: ['', '.Sent'] });
    expect(plan.copy).toEqual([{ from: '/snap/a', to: 'cur/1.M1:2,S' }, { from: '/snap/c', to: '.Old/cur/3.M3:2,' }]);
    expect(plan.alreadyThere).toEqual(['b']);
    expect(plan.createFolders).toEqual(['.Old']);
  });

  it('--into-folder puts everything in one new folder; --to copies even what is live', () => {
    const into = planPick({ mode: 'merge', candidates: [c('a', '', 'cur', '1.M1:2,S'), c('b', '.Sent', 'cur', '2.M2:2,')], there: new Set(), targetFolders: [''], intoFolder: '.Recovered' });
    expect(into.copy.map((o) => o.to)).toEqual(['.Recovered/cur/1.M1:2,S', '.Recovered/cur/2.M2:2,']);
    expect(into.createFolders).toEqual(['.Recovered']);
    const copy = planPick({ mode: 'copy', candidates: [c('a', '', 'cur', '1.M1:2,S')], there: new Set(['a']), targetFolders: [] });
    expect(copy.copy).toHaveLength(1);
    expect(copy.createFolders).toEqual(['']);
  });
});
