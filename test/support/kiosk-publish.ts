import mqtt from 'mqtt';
import { topics, type Ack, type AttendanceEvent } from '../../protocol/index.ts';
import type { Site } from './site.ts';

/**
 * Publishes events as a paired kiosk of the site straight over MQTT (no kiosk process), in messages of
 * `perMessage` events under the payload limit, and resolves with the hub's acks of all of them.
 */
export async function publishAsKiosk(
  site: Site,
  mqttPort: number,
  deviceId: string,
  events: readonly AttendanceEvent[],
  perMessage = 100,
): Promise<Ack> {
  const device = site.devices.find((d) => d.deviceId === deviceId);
  if (!device) throw new Error(`no device ${deviceId} on the site`);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    clientId: deviceId,
    username: deviceId,
    password: device.password,
    clean: true,
  });
  try {
    const answer: Ack = { acked: [], rejected: [] };
    const all = new Promise<void>((resolve) => {
      client.on('message', (_topic, payload) => {
        const ack = JSON.parse(payload.toString()) as Ack;
        answer.acked.push(...ack.acked);
        answer.rejected.push(...ack.rejected);
        if (answer.acked.length + answer.rejected.length >= events.length) resolve();
      });
    });
    await client.subscribeAsync(topics.acks(site.facilityId, deviceId), { qos: 1 });
    for (let k = 0; k < events.length; k += perMessage) {
      await client.publishAsync(
        topics.events(site.facilityId, deviceId),
        JSON.stringify({ events: events.slice(k, k + perMessage) }),
        { qos: 1 },
      );
    }
    await all;
    return answer;
  } finally {
    await client.endAsync();
  }
}
