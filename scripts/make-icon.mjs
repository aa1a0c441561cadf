// Draws resources/icon.png (512×512): two rings walking side by side on a teal tile.
// Neutral on purpose: nothing in the icon says what the centre's clients do.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const size = 512;
const pixels = Buffer.alloc(size * size * 4);
const teal = [13, 92, 88];
const white = [255, 255, 255];
const mint = [159, 216, 208];

function blend(x, y, colour, alpha) {
  const i = (y * size + x) * 4;
  const a = alpha + (pixels[i + 3] / 255) * (1 - alpha);
  for (let c = 0; c < 3; c++) {
    pixels[i + c] = a === 0 ? 0 : Math.round((colour[c] * alpha + pixels[i + c] * (pixels[i + 3] / 255) * (1 - alpha)) / a);
  }
  pixels[i + 3] = Math.round(a * 255);
}

const coverage = (distance) => Math.max(0, Math.min(1, 0.5 - distance));

for (let y = 0; y < size; y++) {
  for (let x = 0; x < size; x++) {
    // Rounded square tile.
    const dx = Math.max(Math.abs(x + 0.5 - 256) - (240 - 96), 0);
    const dy = Math.max(Math.abs(y + 0.5 - 256) - (240 - 96), 0);
    blend(x, y, teal, coverage(Math.hypot(dx, dy) - 96));
    // Two rings, the second drawn over the first.
    for (const [cx, colour] of [[206, white], [306, mint]]) {
      const ring = Math.abs(Math.hypot(x + 0.5 - cx, y + 0.5 - 256) - 112) - 17;
      blend(x, y, colour, coverage(ring));
    }
  }
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

function crc32(buffer) {
  let crc = -1;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return crc ^ -1;
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const rows = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(rows, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../resources/icon.png', import.meta.url), png);
