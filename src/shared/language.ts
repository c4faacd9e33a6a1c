// Which of the lab's languages to speak, from the user's (pure, so it is tested without a browser).
export type Language = 'en' | 'zh' | 'ko';

/** The first of the user's languages the lab speaks (zh-CN, zh-Hans… → zh; ko-KR → ko), else English. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'zh' || base === 'ko' || base === 'en') return base;
  }
  return 'en';
}
