// The desktop shell's own words (menus, dialogs, its error box, notifications) in the lab's
// languages; the page's are in src/shared/locales, whose error messages the error box words too.
// The language is the system's (app.getLocale()). The type makes a missing translation a compile error.
import { pickLanguage, type Language } from '../shared/language';
import { fillIn, reasonOf } from '../shared/errors';
import { oneLine } from '../shared/one-line';
import zh from '../shared/locales/zh.json';
import ko from '../shared/locales/ko.json';

export interface ShellStrings {
  file: string;
  openModel: string;
  openRecent: string;
  saveModel: string;
  run: string;
  newRun: string;
  pauseResume: string;
  cannotOpen: string;
  runFinished: string;
  runFailed: string;
  sweepFinished: string;
  openTitle: string;
  saveTitle: string;
  modelFiles: string;
  /** "{name}: best {pct}% at epoch {epoch}" */
  best: (name: string, pct: string, epoch: number | null) => string;
  epochs: (name: string, n: number) => string;
  points: (name: string, n: number) => string;
}

export const SHELL_STRINGS: Record<Language, ShellStrings> = {
  en: {
    file: '&File',
    openModel: 'Open Model…',
    openRecent: 'Open Recent',
    saveModel: 'Save Model…',
    run: '&Run',
    newRun: 'New Run',
    pauseResume: 'Pause or Resume',
    cannotOpen: 'nnlab could not open the model',
    runFinished: 'Run finished',
    runFailed: 'Run failed',
    sweepFinished: 'Sweep finished',
    openTitle: 'Open a model',
    saveTitle: 'Save the model',
    modelFiles: 'Model (network2.py JSON)',
    best: (name, pct, epoch) => `${name}: best ${pct}% at epoch ${epoch}`,
    epochs: (name, n) => `${name}: ${n} epochs`,
    points: (name, n) => `${name}: ${n} points`,
  },
  zh: {
    file: '文件(&F)',
    openModel: '打开模型…',
    openRecent: '最近打开',
    saveModel: '保存模型…',
    run: '训练(&R)',
    newRun: '新的训练',
    pauseResume: '暂停或继续',
    cannotOpen: 'nnlab 无法打开这个模型',
    runFinished: '训练完成',
    runFailed: '训练失败',
    sweepFinished: '扫描完成',
    openTitle: '打开模型',
    saveTitle: '保存模型',
    modelFiles: '模型（network2.py 的 JSON）',
    best: (name, pct, epoch) => `${name}：最佳 ${pct}%（回合 ${epoch}）`,
    epochs: (name, n) => `${name}：${n} 个回合`,
    points: (name, n) => `${name}：${n} 个点`,
  },
  ko: {
    file: '파일(&F)',
    openModel: '모델 열기…',
    openRecent: '최근 파일',
    saveModel: '모델 저장…',
    run: '학습(&R)',
    newRun: '새 학습',
    pauseResume: '일시 정지 또는 계속',
    cannotOpen: 'nnlab이 모델을 열 수 없습니다',
    runFinished: '학습 완료',
    runFailed: '학습 실패',
    sweepFinished: '스윕 완료',
    openTitle: '모델 열기',
    saveTitle: '모델 저장',
    modelFiles: '모델 (network2.py JSON)',
    best: (name, pct, epoch) => `${name}: 최고 ${pct}% (에포크 ${epoch})`,
    epochs: (name, n) => `${name}: ${n} 에포크`,
    points: (name, n) => `${name}: 점 ${n}개`,
  },
};

/** The shell's words for a system locale such as "zh-CN" or "ko". */
export function shellStrings(locale: string): ShellStrings {
  return SHELL_STRINGS[pickLanguage([locale])];
}

const ERROR_CATALOGUES: Record<Exclude<Language, 'en'>, Record<string, string>> = { zh, ko };

/** An error as one line in `language`: a refusal with a reason from the catalogues, anything else in English. */
export function errorLine(language: Language, e: unknown): string {
  const r = reasonOf(e);
  const template = r && language !== 'en' ? ERROR_CATALOGUES[language][`error.${r.code}`] : undefined;
  if (!r || template === undefined) return oneLine(e);
  const text = fillIn(template, r.params);
  return r.at ? `${r.at}: ${text}` : text;
}
