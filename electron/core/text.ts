/** Names are sorted the Vietnamese way (Đ after D, tones after the bare letter). */
export const vietnameseCollator = new Intl.Collator('vi', { sensitivity: 'base' });

/**
 * The order SQLite's binary collation gives text (UTF-8 bytes), for lists sorted in memory that
 * the file sorts in SQL (codes, folded aliases): code units compare the same way below U+D800,
 * which covers codes and folded text.
 */
export const compareBinary = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
