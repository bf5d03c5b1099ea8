import type { KioskOutputLine } from '../kiosk/common/output.ts';

/**
 * The kiosk's JSON lines as the demo's terminal shows them: one human line each (the kiosk's own
 * `message` when it has one), or nothing for the lines a person need not see.
 */

const DIRECTION: Record<string, string> = {
  check_in: '登園 (check-in)',
  check_out: '降園 (check-out)',
  absent: '欠席 (absent)',
  void: '取消 (void)',
};

const direction = (type: string): string => DIRECTION[type] ?? type;

export function describeKioskLine(line: KioskOutputLine): string | undefined {
  if ('ready' in line) return undefined;
  switch (line.type) {
    case 'tap':
      return describeTap(line);
    case 'amend': {
      if (line.message !== undefined) return `  ✎ ${line.message}`;
      const changes = line.events.map((e) => direction(e.type));
      return changes.length > 0 ? `  ✎ changed at the kiosk: ${changes.join(', ')}` : undefined;
    }
    case 'acked':
      return `  ↳ hub stored ${String(line.ids.length)} event(s)`;
    case 'rejected':
      return `  ↳ hub refused an event: ${line.code} ${line.message}`;
    case 'connection':
      return line.online
        ? '  (kiosk online: the hub answers)'
        : '  (kiosk offline: taps are kept at the kiosk and sent later)';
    case 'reader_error':
      return `  ✖ ${line.message}`;
    case 'reader':
    case 'roster':
    case 'rollcall':
    case 'enroll':
    case 'clock':
      return undefined;
  }
}

function describeTap(line: Extract<KioskOutputLine, { type: 'tap' }>): string {
  switch (line.result) {
    case 'ok': {
      if (line.message !== undefined) return `  ✔ ${line.message}`;
      const kids = line.events.map((e) => `${e.childName} ${direction(e.type)}`);
      return `  ✔ ${line.guardian.name}: ${kids.join(', ')}  — saved at the kiosk`;
    }
    case 'needs_confirm':
      return `  ? ${line.message}  — nothing recorded unless confirmed on the kiosk screen`;
    case 'debounced':
      return `  … ${line.message ?? 'same card again within the debounce time: ignored'}`;
    case 'unknown_credential':
      return '  ✖ unknown card: ask staff to register it';
    case 'no_children':
      return `  ✖ ${line.guardian.name}: no child of this guardian is on the roster`;
    case 'no_roster':
      return '  ✖ the kiosk has no roster yet (it needs the hub once)';
    case 'refused_qr':
      return `  ✖ QR refused: ${line.message}`;
    case 'error':
      return `  ✖ not recorded (${line.code}): tap again`;
  }
}

export const DEMO_HELP = [
  'Commands:',
  '  1–N          tap guardian N’s card at the kiosk (as its reader would)',
  '  list         show the demo cards',
  '  status       roll-call counts at the hub, and what the cloud holds',
  '  hub stop     stop the edge hub (the kiosk goes offline and keeps taps)',
  '  hub start    start it again (the kiosk sends what it kept)',
  '  help         this list',
  '  Ctrl+C       stop everything',
].join('\n');
