/** Names are sorted the Vietnamese way (Đ after D, tones after the bare letter). */
export const vietnameseCollator = new Intl.Collator('vi', { sensitivity: 'base' });
