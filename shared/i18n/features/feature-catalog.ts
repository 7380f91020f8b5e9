/**
 * A feature's texts in both languages side by side, under one top-level key
 * of the catalog (its namespace). The two trees must have the same keys; the
 * i18n unit test checks the merged catalogs.
 */
export type Texts = { readonly [key: string]: string | Texts };

export interface FeatureCatalog<N extends string = string> {
  namespace: N;
  en: Texts;
  'zh-CN': Texts;
}

export function featureCatalog<N extends string>(namespace: N, en: Texts, zhCN: Texts): FeatureCatalog<N> {
  return { namespace, en, 'zh-CN': zhCN };
}
