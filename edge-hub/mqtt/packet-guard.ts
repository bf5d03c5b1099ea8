import type { Duplex } from 'node:stream';

/** Largest MQTT packet (remaining length) the hub lets a connection send at all. */
export const MAX_PACKET_BYTES = 1024 * 1024;

/**
 * aedes' parser (mqtt-packet) has no size limit: it buffers a packet of any declared length, up to the
 * protocol's 256 MiB, before looking at it. This watches the fixed headers of the bytes aedes reads and
 * destroys the connection as soon as a packet declares more than `limit` bytes, so an absurd packet costs
 * at most one socket read of memory. The client sees the connection drop (MQTT 3.1.1 has no way to say
 * why).
 *
 * It listens to 'data', which a paused stream emits for each chunk aedes pulls with read() (aedes reads on
 * 'readable'), so it sees exactly what aedes parses without changing how the stream flows. Must be
 * attached after aedes' handle().
 */
export function guardPacketSize(
  stream: Duplex,
  limit: number,
  onViolation: (declared: number) => void,
): void {
  let inHeader = true; // expecting the first byte of a fixed header
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let skip = 0; // bytes of the current packet's body still to pass over
  const violate = (declared: number) => {
    stream.off('data', onData);
    onViolation(declared);
    stream.destroy();
  };
  const onData = (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        i += n;
        skip -= n;
        continue;
      }
      if (inHeader) {
        inHeader = false;
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        i++;
        continue;
      }
      const b = chunk[i++] ?? 0;
      length += (b & 0x7f) * multiplier;
      multiplier *= 128;
      lengthBytes++;
      if (length > limit) {
        violate(length);
        return;
      }
      if ((b & 0x80) === 0) {
        skip = length;
        inHeader = true;
      } else if (lengthBytes === 4) {
        // A fifth length byte is malformed; mqtt-packet rejects it too, this just stops reading earlier.
        violate(length);
        return;
      }
    }
  };
  stream.on('data', onData);
}
