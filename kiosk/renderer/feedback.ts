import type { Feedback, Sound } from './state.ts';

/**
 * Sounds and speech so a parent with a child on one arm knows the result without looking. Synthesized
 * with WebAudio (no audio files to ship or allow in the CSP). Every failure is ignored: a kiosk that
 * cannot play a sound (autoplay policy, no audio device) still works.
 */

interface Note {
  readonly freq: number;
  readonly start: number;
  readonly duration: number;
  readonly type: OscillatorType;
  readonly gain: number;
}

const SOUNDS: Readonly<Record<Sound, readonly Note[]>> = {
  // Bright, rising: C6 then G6.
  check_in: [
    { freq: 1046.5, start: 0, duration: 0.14, type: 'triangle', gain: 0.35 },
    { freq: 1568, start: 0.13, duration: 0.26, type: 'triangle', gain: 0.35 },
  ],
  // Falling: G5 then C5, a little softer and longer.
  check_out: [
    { freq: 784, start: 0, duration: 0.16, type: 'triangle', gain: 0.35 },
    { freq: 523.25, start: 0.15, duration: 0.3, type: 'triangle', gain: 0.35 },
  ],
  // One soft mid tone: heard, but neither success nor failure.
  notice: [{ freq: 660, start: 0, duration: 0.22, type: 'sine', gain: 0.3 }],
  // Low double buzz: clearly "not done" without being a siren.
  refusal: [
    { freq: 180, start: 0, duration: 0.16, type: 'square', gain: 0.12 },
    { freq: 180, start: 0.24, duration: 0.16, type: 'square', gain: 0.12 },
  ],
};

let audio: AudioContext | null = null;

function playNote(ctx: AudioContext, note: Note): void {
  const t0 = ctx.currentTime + 0.01 + note.start;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = note.type;
  osc.frequency.setValueAtTime(note.freq, t0);
  // Short attack and exponential release: no clicks.
  gain.gain.setValueAtTime(0.0001, t0);
  gain.gain.exponentialRampToValueAtTime(note.gain, t0 + 0.015);
  gain.gain.exponentialRampToValueAtTime(0.0001, t0 + note.duration);
  osc.connect(gain).connect(ctx.destination);
  osc.start(t0);
  osc.stop(t0 + note.duration + 0.02);
}

export function playSound(sound: Sound): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    for (const note of SOUNDS[sound]) playNote(ctx, note);
  } catch {
    // No audio: the screen still says it all.
  }
}

export function speak(text: string, lang: string): void {
  try {
    if (!('speechSynthesis' in window)) return;
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    utterance.rate = 1;
    window.speechSynthesis.speak(utterance);
  } catch {
    // No voice installed: nothing to say it with.
  }
}

export function playFeedback(feedback: Feedback): void {
  playSound(feedback.sound);
  if (feedback.speech !== null) speak(feedback.speech.text, feedback.speech.lang);
}
