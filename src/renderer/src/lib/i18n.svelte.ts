// The one translation layer of the UI: i18next (maintained, framework-free, with fallbacks,
// interpolation and Intl-based plurals; i18next 26, whose engines allow Node 20) over three
// catalogues in src/shared/locales, wrapped in a Svelte 5 rune so that every `t(…)` in a
// template follows a language switch. The book's terms follow ../shared/GLOSSARY.md. The language
// follows the system (navigator.languages: in Electron, app.getLocale()), can be switched in the
// header, and is remembered. test/i18n.test.ts fails on a key missing from a catalogue or unused.
import i18next from 'i18next';
import en from '../../../shared/locales/en.json';
import zh from '../../../shared/locales/zh.json';
import ko from '../../../shared/locales/ko.json';
import { pickLanguage, type Language } from '../../../shared/language';
import { fmtSeconds } from './series';

export { pickLanguage, type Language } from '../../../shared/language';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh', name: '简体中文' },
  { code: 'ko', name: '한국어' },
] as const;

const STORAGE_KEY = 'nnlab.language';

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh' || saved === 'ko') return saved;
  } catch {
    // No storage: follow the system.
  }
  return typeof navigator === 'undefined' ? 'en' : pickLanguage(navigator.languages ?? [navigator.language]);
}

const i18n = i18next.createInstance();
const start = initialLanguage();
void i18n.init({
  resources: { en: { translation: en }, zh: { translation: zh }, ko: { translation: ko } },
  lng: start,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

let current = $state<Language>(start);
if (typeof document !== 'undefined') document.documentElement.lang = start === 'zh' ? 'zh-CN' : start;

/** The UI's text for `key` in the current language (reactive: re-read when the language changes). */
export function t(key: string, vars?: Record<string, unknown>): string {
  void current;
  return i18n.t(key, vars ?? {});
}

export function language(): Language {
  return current;
}

export function setLanguage(code: Language): void {
  void i18n.changeLanguage(code);
  current = code;
  document.documentElement.lang = code === 'zh' ? 'zh-CN' : code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Remembered for this session only.
  }
}

/** A duration in the current language's units: "2 min 34 s", "2分钟34秒", "2분 34초". */
export function duration(s: number): string {
  if (current === 'en' || !Number.isFinite(s)) return fmtSeconds(s);
  const locale = current === 'zh' ? 'zh-CN' : current;
  const unit = (v: number, u: 'second' | 'minute' | 'hour', digits = 0) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits }).format(v);
  const join = (a: string, b: string) => (current === 'zh' ? a + b : `${a} ${b}`);
  if (s < 60) return unit(s, 'second', s < 10 ? 1 : 0);
  const m = Math.floor(s / 60);
  if (m < 60) return join(unit(m, 'minute'), unit(Math.round(s - m * 60), 'second'));
  return join(unit(Math.floor(m / 60), 'hour'), unit(m % 60, 'minute'));
}

/** A number in the current language's conventions. */
export function num(v: number, digits?: number): string {
  return new Intl.NumberFormat(
    current === 'zh' ? 'zh-CN' : current,
    digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits },
  ).format(v);
}
