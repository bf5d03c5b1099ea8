/** Longest side of a pickup person's photo as uploaded (the hub keeps at most 300 KB). */
const MAX_SIDE = 640;
const MAX_BYTES = 300 * 1024;

/** Decoded size of a base64 data URL. */
function dataUrlBytes(url: string): number {
  const base64 = url.slice(url.indexOf(',') + 1);
  return Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
}

/**
 * The chosen image scaled in the browser to at most 640 px on its longer side, as a JPEG data URL under
 * 300 KB (lower quality until it fits). Undefined when the browser cannot read the file as an image.
 */
export async function scaledJpeg(file: Blob): Promise<string | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d');
  if (context === null) return undefined;
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  for (const quality of [0.85, 0.7, 0.5, 0.3]) {
    const url = canvas.toDataURL('image/jpeg', quality);
    if (dataUrlBytes(url) <= MAX_BYTES) return url;
  }
  return undefined;
}
