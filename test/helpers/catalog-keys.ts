// The keys of a message catalog, for tests that compare languages: i18next's plural forms (key_one, key_other, ...)
// count as one key, since each language has its own forms, and a language must have every form its rules pick.
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Every dotted key of a catalog. */
export function catalogKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, field]) => catalogKeys(field, prefix ? `${prefix}.${key}` : key));
}

/** The keys with the plural forms of one key as that key, sorted. */
export function baseKeys(value: unknown): string[] {
  return [...new Set(catalogKeys(value).map((key) => key.replace(PLURAL_SUFFIX, '')))].sort();
}

/** Plural keys that lack one of the forms the language's plural rules choose from (Intl.PluralRules). */
export function missingPluralForms(value: unknown, language: string): string[] {
  const all = new Set(catalogKeys(value));
  const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  const plural = [...new Set([...all].filter((key) => PLURAL_SUFFIX.test(key)).map((key) => key.replace(PLURAL_SUFFIX, '')))];
  return plural.flatMap((key) => forms.filter((form) => !all.has(`${key}_${form}`)).map((form) => `${key}_${form}`));
}
