import { useReducer } from 'react';
import { UI_TEST_IDS } from '../common/ui-api.ts';
import { useAgentLink, useDocumentLang, useFeedback, useScreenTimer } from './app-hooks.ts';
import type { KioskTransport } from './bridge-ws.ts';
import { CameraView } from './camera.tsx';
import { MESSAGES } from './messages.ts';
import { backdropOf, initialState, localeOf, reduce } from './state.ts';
import { AgentBar, OfflineBanner } from './screens/banners.tsx';
import { FamilyChooser } from './screens/family-chooser.tsx';
import { IdleScreen } from './screens/idle.tsx';
import { LangToggle } from './screens/lang-toggle.tsx';
import { MaintenanceScreen } from './screens/maintenance.tsx';
import { NoticeResult } from './screens/notice.tsx';
import { OkResult } from './screens/ok-result.tsx';
import { OutOfOrderScreen } from './screens/out-of-order.tsx';
import { PairingScreen } from './screens/pairing.tsx';
import { PinPad } from './screens/pin-pad.tsx';
import { noticeOf } from './view.ts';
import { changeText } from '../common/tap-messages.ts';

/** The kiosk screen: the reducer's state, and the one screen it calls for (a tap result always first). */
export function App({ transport }: { transport: KioskTransport }) {
  const [state, dispatch] = useReducer(reduce, initialState);
  const { api } = transport;
  const locale = localeOf(state);
  const m = MESSAGES[locale];
  const { kiosk, screen, feedback } = state;

  useAgentLink(transport, dispatch);
  useDocumentLang(locale);
  useFeedback(feedback);
  const timer = useScreenTimer(state, api, dispatch);

  const backdrop = backdropOf(state);
  const timeZone = kiosk?.timeZone ?? 'Asia/Tokyo';
  const camera =
    kiosk?.camera === true ? (
      <CameraView
        api={api}
        connected={state.connected}
        hidden={backdrop === 'pairing' ? false : screen.kind !== 'idle' || backdrop !== 'idle'}
        large={backdrop === 'pairing'}
        m={m}
      />
    ) : null;
  // The top bar of the PIN pad and the family chooser.
  const staffHeader = (
    <header className="topbar">
      <h1 className="topbar__facility">{kiosk?.facilityName ?? ''}</h1>
      <LangToggle m={m} dispatch={dispatch} />
    </header>
  );
  let content;
  switch (screen.kind) {
    case 'idle':
      switch (backdrop) {
        case 'out_of_order':
          content = <OutOfOrderScreen m={m} toggle={<LangToggle m={m} dispatch={dispatch} />} />;
          break;
        case 'pairing':
          content = (
            <PairingScreen
              view={state.pairing}
              m={m}
              camera={camera}
              toggle={<LangToggle m={m} dispatch={dispatch} />}
            />
          );
          break;
        case 'maintenance':
          content = state.maintenance && (
            <MaintenanceScreen
              view={state.maintenance}
              api={api}
              m={m}
              timeZone={timeZone}
              toggle={<LangToggle m={m} dispatch={dispatch} />}
            />
          );
          break;
        case 'pin':
          content = <PinPad api={api} m={m} dispatch={dispatch} header={staffHeader} />;
          break;
        case 'family':
          content = (
            <FamilyChooser
              families={state.families}
              api={api}
              m={m}
              dispatch={dispatch}
              header={staffHeader}
            />
          );
          break;
        case 'idle':
          content = <IdleScreen kiosk={kiosk} m={m} dispatch={dispatch} />;
          break;
      }
      break;
    case 'cancelled':
      content = (
        <NoticeResult
          result="ok"
          tone="cancelled"
          title={m.cancelledTitle}
          body={
            screen.change
              ? `${changeText(screen.change, locale)}${locale === 'ja' ? '。' : '. '}${m.cancelledBody}`
              : m.cancelledBody
          }
          timer={{ from: screen.shownAt, durationMs: timer?.durationMs ?? 0 }}
          m={m}
          dispatch={dispatch}
        />
      );
      break;
    case 'result': {
      const tap = screen.tap;
      if (tap.result === 'ok') {
        content = (
          <OkResult
            key={screen.seq}
            tap={tap}
            screen={screen}
            durationMs={timer?.durationMs ?? 1}
            api={api}
            m={m}
            locale={locale}
            timeZone={timeZone}
            dispatch={dispatch}
          />
        );
      } else {
        const notice = noticeOf(tap, m, locale, timeZone);
        content = (
          <NoticeResult
            key={screen.seq}
            result={tap.result}
            tone={notice.tone}
            title={notice.title}
            body={notice.body}
            timer={{ from: screen.countdownFrom, durationMs: timer?.durationMs ?? 0 }}
            m={m}
            dispatch={dispatch}
          />
        );
      }
      break;
    }
  }

  return (
    <div
      className="app"
      data-testid={UI_TEST_IDS.app}
      data-locale={locale}
      data-screen={screen.kind === 'idle' ? 'idle' : 'result'}
    >
      {!state.connected && kiosk !== null && <AgentBar m={m} />}
      <main className="app__main">
        {content}
        {backdrop !== 'pairing' && camera}
      </main>
      {kiosk !== null && !kiosk.online && backdrop !== 'pairing' && backdrop !== 'out_of_order' && (
        <OfflineBanner outbox={kiosk.outbox} m={m} />
      )}
    </div>
  );
}
