/*
 * Zip entries carry a modification time (MS-DOS date and time, in the local file header and again in the
 * central directory). ExcelJS stamps every entry with the time of writing and has no option to set it,
 * so the XLSX writer overwrites them afterwards: the same ledger gives the same bytes. Neither field is
 * covered by a checksum.
 */

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;

/** `date` (UTC) as MS-DOS time and date words. */
function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** Sets the modification time of every entry of `zip` (a whole archive) to `date`, in place. */
export function setZipEntryDates(zip: Buffer, date: Date): Buffer {
  const dos = dosDateTime(date);
  // The end-of-central-directory record: 22 bytes plus a comment of at most 65,535 bytes, at the end.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new Error('zip central directory is malformed');
    zip.writeUInt16LE(dos.time, at + 12);
    zip.writeUInt16LE(dos.date, at + 14);
    const local = zip.readUInt32LE(at + 42);
    if (zip.readUInt32LE(local) !== LOCAL_HEADER) throw new Error('zip local header is malformed');
    zip.writeUInt16LE(dos.time, local + 10);
    zip.writeUInt16LE(dos.date, local + 12);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return zip;
}
