import { useEffect, useReducer, useState, type Dispatch, type PointerEvent } from 'react';
import {
  UI_TEST_IDS,
  type ChildView,
  type GenkanKioskApi,
  type KioskView,
  type UiReply,
} from '../common/ui-api.ts';
import type { KioskTransport } from './bridge-ws.ts';
import { CameraView } from './camera.tsx';
import { playFeedback } from './feedback.ts';
import { MESSAGES, type Messages } from './messages.ts';
import {
  backdropOf,
  initialState,
  localeOf,
  reduce,
  screenTimer,
  tapDirection,
  type Action,
  type OkTap,
  type Screen,
} from './state.ts';
import { MaintenanceScreen, PairingScreen, PinPad, StaffButton } from './staff.tsx';
import { avatarColour, clockText, initialOf, noticeOf } from './view.ts';

/** Re-renders every `intervalMs` with the current time (clock, countdown). */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const id = window.setInterval(() => {
      setNow(Date.now());
    }, intervalMs);
    return () => {
      window.clearInterval(id);
    };
  }, [intervalMs]);
  return now;
}

function LangToggle({ m, dispatch }: { m: Messages; dispatch: Dispatch<Action> }) {
  return (
    <button
      type="button"
      className="btn btn--lang"
      data-testid={UI_TEST_IDS.langToggle}
      aria-label={m.langToggleLabel}
      // A touch on a refusal screen closes it; switching language must not.
      onPointerDown={(e: PointerEvent) => {
        e.stopPropagation();
      }}
      onClick={(e) => {
        e.stopPropagation();
        dispatch({ type: 'toggle_locale', now: Date.now() });
      }}
    >
      <span className="btn--lang__globe" aria-hidden="true">
        文A
      </span>
      {m.langToggle}
    </button>
  );
}

/** `offsetMs`: the agent's correction when this machine's clock is off from the hub's (else 0). */
function Clock({ m, timeZone, offsetMs }: { m: Messages; timeZone: string; offsetMs: number }) {
  const now = useNow(1000);
  const { time, date } = clockText(now + offsetMs, m.intlLocale, timeZone);
  return (
    <div className="clock" data-testid={UI_TEST_IDS.clock}>
      <div className="clock__time">{time}</div>
      <div className="clock__date">{date}</div>
    </div>
  );
}

function UndoIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M9 5 4 10l5 5" />
      <path d="M4 10h10a6 6 0 0 1 0 12h-3" />
    </svg>
  );
}

function SwapIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M4 8h15M15 4l4 4-4 4" />
      <path d="M20 16H5M9 12l-4 4 4 4" />
    </svg>
  );
}

/** A card and a phone with a QR code: what to hold up, understood without reading. */
function PromptIcon() {
  return (
    <svg className="prompt__icon" viewBox="0 0 120 80" aria-hidden="true">
      <rect x="4" y="14" width="62" height="42" rx="6" className="icon-card" />
      <rect x="12" y="24" width="18" height="12" rx="2" className="icon-chip" />
      <rect x="12" y="44" width="40" height="4" rx="2" className="icon-chip" />
      <rect x="74" y="4" width="42" height="72" rx="7" className="icon-phone" />
      <rect x="81" y="16" width="28" height="28" rx="2" className="icon-screen" />
      <rect x="84" y="19" width="8" height="8" className="icon-qr" />
      <rect x="98" y="19" width="8" height="8" className="icon-qr" />
      <rect x="84" y="33" width="8" height="8" className="icon-qr" />
      <rect x="97" y="32" width="4" height="4" className="icon-qr" />
      <rect x="102" y="37" width="4" height="4" className="icon-qr" />
    </svg>
  );
}

function IdleScreen({
  kiosk,
  m,
  dispatch,
}: {
  kiosk: KioskView | null;
  m: Messages;
  dispatch: Dispatch<Action>;
}) {
  let prompt: { title: string; sub: string; waiting: boolean };
  if (kiosk === null) prompt = { title: m.connecting, sub: m.startingSub, waiting: true };
  else if (!kiosk.ready) prompt = { title: m.starting, sub: m.startingSub, waiting: true };
  else prompt = { title: m.prompt, sub: m.promptSub, waiting: false };
  return (
    <section className="idle" data-testid={UI_TEST_IDS.idle}>
      <header className="topbar">
        <h1 className="topbar__facility" data-testid={UI_TEST_IDS.facilityName}>
          {kiosk?.facilityName ?? ''}
        </h1>
        <LangToggle m={m} dispatch={dispatch} />
      </header>
      <div className="idle__center">
        <Clock m={m} timeZone={kiosk?.timeZone ?? 'Asia/Tokyo'} offsetMs={kiosk?.clockOffsetMs ?? 0} />
        <div className={`prompt${prompt.waiting ? ' prompt--waiting' : ''}`} role="status">
          {prompt.waiting ? <span className="spinner" aria-hidden="true" /> : <PromptIcon />}
          <div className="prompt__text">
            <p className="prompt__title">{prompt.title}</p>
            <p className="prompt__sub">{prompt.sub}</p>
          </div>
        </div>
      </div>
      {kiosk !== null && <StaffButton m={m} dispatch={dispatch} />}
    </section>
  );
}

function Countdown({ from, durationMs, m }: { from: number; durationMs: number; m: Messages }) {
  const now = useNow(200);
  const remaining = Math.max(0, from + durationMs - now);
  const seconds = Math.ceil(remaining / 1000);
  return (
    <div className="countdown" data-testid={UI_TEST_IDS.countdown} data-seconds={seconds}>
      <div className="countdown__track" aria-hidden="true">
        <div className="countdown__fill" style={{ transform: `scaleX(${remaining / durationMs})` }} />
      </div>
      <span className="countdown__text">{m.countdown(seconds)}</span>
    </div>
  );
}

function ChildEntry({
  child,
  many,
  m,
  disabled,
  onToggle,
}: {
  child: ChildView;
  many: boolean;
  m: Messages;
  disabled: boolean;
  onToggle: () => void;
}) {
  return (
    <li
      className={`child child--${child.direction}${child.included ? '' : ' child--out'}`}
      data-child-id={child.childId}
      data-direction={child.direction}
      data-included={String(child.included)}
    >
      <div className="avatar" style={{ backgroundColor: avatarColour(child.classId) }} aria-hidden="true">
        {initialOf(child.name)}
      </div>
      <div className="child__text">
        {child.kana !== '' && <p className="child__kana">{child.kana}</p>}
        <p className="child__name">{child.name}</p>
        <p className="child__meta">
          <span className="child__class">{child.className}</span>
          <span className={`badge badge--${child.included ? child.direction : 'out'}`}>
            {child.included ? m.direction[child.direction] : m.leftOut}
          </span>
        </p>
      </div>
      {many && (
        <button
          type="button"
          className={`btn btn--toggle${child.included ? '' : ' btn--toggle-out'}`}
          data-testid={UI_TEST_IDS.childToggle}
          aria-pressed={!child.included}
          disabled={disabled}
          onClick={onToggle}
        >
          {child.included ? m.leaveOut : m.addBack}
        </button>
      )}
    </li>
  );
}

function OkResult({
  tap,
  screen,
  durationMs,
  api,
  m,
  dispatch,
}: {
  tap: OkTap;
  screen: Extract<Screen, { kind: 'result' }>;
  durationMs: number;
  api: GenkanKioskApi;
  m: Messages;
  dispatch: Dispatch<Action>;
}) {
  // One command at a time: a double press of "change direction" must not flip it back.
  const [busy, setBusy] = useState(false);
  const direction = tapDirection(tap);
  const many = tap.children.length > 1;
  // One child: one big card; two: side by side; more: compact cards in a grid.
  const layout = many ? (tap.children.length === 2 ? 'pair' : 'grid') : 'single';

  /** Runs a command from a touch at time `now`; the touch restarts the countdown. */
  const run = (now: number, command: () => Promise<UiReply>, onOk?: () => void): void => {
    if (busy) return;
    setBusy(true);
    dispatch({ type: 'interaction', now });
    void command().then((reply) => {
      setBusy(false);
      if (reply.ok) onOk?.();
      else dispatch({ type: 'command_failed', tapId: tap.tapId });
    });
  };

  return (
    <section
      className={`result result--${direction}`}
      data-testid={UI_TEST_IDS.tapResult}
      data-result="ok"
      aria-live="assertive"
    >
      <header className="band">
        <span className={`band__badge badge badge--${direction}`}>{m.direction[direction]}</span>
        <h1 className="band__title" data-testid={UI_TEST_IDS.message}>
          {m.greeting[direction]}
        </h1>
        <LangToggle m={m} dispatch={dispatch} />
      </header>
      <ul className={`children children--${layout}`}>
        {tap.children.map((child) => (
          <ChildEntry
            key={child.childId}
            child={child}
            many={many}
            m={m}
            disabled={busy}
            onToggle={() => {
              run(Date.now(), () => api.setIncluded(tap.tapId, child.childId, !child.included));
            }}
          />
        ))}
      </ul>
      {screen.failed && (
        <p className="result__failed" role="alert">
          {m.commandFailed}
        </p>
      )}
      <footer className="actions">
        <button
          type="button"
          className="btn btn--secondary"
          data-testid={UI_TEST_IDS.undo}
          disabled={busy}
          onClick={() => {
            run(
              Date.now(),
              () => api.undo(tap.tapId),
              () => {
                dispatch({ type: 'undone', tapId: tap.tapId, now: Date.now() });
              },
            );
          }}
        >
          <UndoIcon />
          {m.undo}
        </button>
        <button
          type="button"
          className="btn btn--secondary"
          data-testid={UI_TEST_IDS.flip}
          disabled={busy}
          onClick={() => {
            run(Date.now(), () => api.flip(tap.tapId));
          }}
        >
          <SwapIcon />
          {m.flip}
        </button>
        <Countdown key={screen.countdownFrom} from={screen.countdownFrom} durationMs={durationMs} m={m} />
        <button
          type="button"
          className="btn btn--primary"
          data-testid={UI_TEST_IDS.confirm}
          onClick={() => {
            // Back to idle at once: the next parent is waiting; a refused confirm changes nothing.
            void api.confirm(tap.tapId);
            dispatch({ type: 'dismiss' });
          }}
        >
          {m.confirm}
        </button>
      </footer>
    </section>
  );
}

function NoticeResult({
  result,
  tone,
  title,
  body,
  timer,
  m,
  dispatch,
}: {
  result: string;
  tone: 'refusal' | 'info' | 'cancelled';
  title: string;
  body: string;
  timer: { from: number; durationMs: number };
  m: Messages;
  dispatch: Dispatch<Action>;
}) {
  return (
    <section
      className={`result result--${tone}`}
      data-testid={UI_TEST_IDS.tapResult}
      data-result={result}
      aria-live="assertive"
      onPointerDown={() => {
        dispatch({ type: 'dismiss' });
      }}
    >
      <header className="band">
        <span className={`band__icon band__icon--${tone}`} aria-hidden="true">
          {tone === 'refusal' ? '!' : tone === 'info' ? '✓' : <UndoIcon />}
        </span>
        <h1 className="band__title band__title--notice" data-testid={UI_TEST_IDS.message}>
          {title}
        </h1>
        <LangToggle m={m} dispatch={dispatch} />
      </header>
      <div className="notice">
        <p className="notice__body">{body}</p>
      </div>
      <footer className="notice__footer">
        <div className="notice__timer" aria-hidden="true">
          <div
            key={timer.from}
            className="notice__timer-fill"
            style={{ animationDuration: `${timer.durationMs}ms` }}
          />
        </div>
        <p className="notice__hint">{m.touchToClose}</p>
      </footer>
    </section>
  );
}

function OfflineBanner({ outbox, m }: { outbox: number; m: Messages }) {
  return (
    <aside className="offline" data-testid={UI_TEST_IDS.offlineBanner} data-outbox={outbox} role="status">
      <span className="offline__icon" aria-hidden="true" />
      <div className="offline__text">
        <strong className="offline__title">{m.offlineTitle}</strong>
        <span className="offline__body">{m.offlineBody}</span>
      </div>
      <span className="offline__count">{m.outbox(outbox)}</span>
    </aside>
  );
}

export function App({ transport }: { transport: KioskTransport }) {
  const [state, dispatch] = useReducer(reduce, initialState);
  const { api } = transport;
  const locale = localeOf(state);
  const m = MESSAGES[locale];
  const { kiosk, screen, feedback } = state;

  useEffect(
    () =>
      api.onEvent((event) => {
        dispatch({ type: 'event', event, now: Date.now() });
      }),
    [api],
  );
  useEffect(
    () =>
      transport.onConnection((connected) => {
        dispatch({ type: 'connection', connected });
      }),
    [transport],
  );

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    if (feedback !== null) playFeedback(feedback);
  }, [feedback]);

  const timer = screenTimer(state);
  const timerSeq = timer?.seq;
  const timerAt = timer?.at;
  const confirmTapId = timer?.confirmTapId ?? null;
  useEffect(() => {
    if (timerSeq === undefined || timerAt === undefined) return;
    const id = window.setTimeout(
      () => {
        if (confirmTapId !== null) void api.confirm(confirmTapId);
        dispatch({ type: 'expire', seq: timerSeq });
      },
      Math.max(0, timerAt - Date.now()),
    );
    return () => {
      window.clearTimeout(id);
    };
  }, [api, timerSeq, timerAt, confirmTapId]);

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
  let content;
  switch (screen.kind) {
    case 'idle':
      switch (backdrop) {
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
          content = (
            <PinPad
              api={api}
              m={m}
              dispatch={dispatch}
              header={
                <header className="topbar">
                  <h1 className="topbar__facility">{kiosk?.facilityName ?? ''}</h1>
                  <LangToggle m={m} dispatch={dispatch} />
                </header>
              }
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
          body={m.cancelledBody}
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
            dispatch={dispatch}
          />
        );
      } else {
        const notice = noticeOf(tap, m, locale);
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
      {!state.connected && kiosk !== null && (
        <div className="agent-bar" role="status">
          <span className="spinner spinner--small" aria-hidden="true" />
          {m.agentUnreachable}
        </div>
      )}
      <main className="app__main">
        {content}
        {backdrop !== 'pairing' && camera}
      </main>
      {kiosk !== null && !kiosk.online && backdrop !== 'pairing' && (
        <OfflineBanner outbox={kiosk.outbox} m={m} />
      )}
    </div>
  );
}
