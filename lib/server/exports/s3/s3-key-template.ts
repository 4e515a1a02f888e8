// S3 keys may hold placeholders !{timestamp:<pattern>}, resolved when the upload starts. The pattern is a Java
// DateTimeFormatter pattern limited to letters and '/'; the common fields are resolved here, in UTC.
const FIELDS: Record<string, (date: Date) => string> = {
  yyyy: (date) => String(date.getUTCFullYear()).padStart(4, '0'),
  yy: (date) => String(date.getUTCFullYear() % 100).padStart(2, '0'),
  MM: (date) => String(date.getUTCMonth() + 1).padStart(2, '0'),
  dd: (date) => String(date.getUTCDate()).padStart(2, '0'),
  HH: (date) => String(date.getUTCHours()).padStart(2, '0'),
  mm: (date) => String(date.getUTCMinutes()).padStart(2, '0'),
  ss: (date) => String(date.getUTCSeconds()).padStart(2, '0'),
  SSS: (date) => String(date.getUTCMilliseconds()).padStart(3, '0'),
};
const FIELD_PATTERN = new RegExp(Object.keys(FIELDS).sort((a, b) => b.length - a.length).join('|'), 'g');

export function resolveKeyTemplate(key: string, now: Date): string {
  return key.replace(/!\{([a-zA-Z]+):([a-zA-Z/]+)\}/g, (whole, name: string, pattern: string) => {
    if (name !== 'timestamp') return whole;
    return pattern.replace(FIELD_PATTERN, (field) => FIELDS[field](now));
  });
}
