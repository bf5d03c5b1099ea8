/**
 * File names of the files the hub and the cloud send (ledgers, reports, QR card sheets): a part of a name
 * cleaned of what office PCs' file systems refuse, and the RFC 6266 Content-Disposition carrying it.
 */

/** Windows' and Unix's forbidden characters and control characters become `_`; at most 60 characters. */
export function fileNamePart(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are what is removed
      .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\.+/, '')
      .slice(0, 60)
  );
}

/**
 * RFC 6266 Content-Disposition: the ASCII name (`filename`, what older clients save) and the name in the
 * language (`filename*`, RFC 8187 UTF-8 percent-encoding).
 */
export function contentDisposition(asciiName: string, name: string): string {
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encoded}`;
}
