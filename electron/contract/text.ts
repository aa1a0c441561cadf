/**
 * Fold Vietnamese text for search: strip tones and marks and turn đ/Đ into d, lower case,
 * single spaces. "Đặng Thị" → "dang thi". Used by core for what it stores and searches, and by
 * the renderer for what it highlights, so both fold alike.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
