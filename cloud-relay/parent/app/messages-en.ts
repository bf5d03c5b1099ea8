import type { LocaleTexts } from './messages.ts';

export const MESSAGES_EN: LocaleTexts = {
  intlLocale: 'en-GB',
  langToggle: '日本語',
  appName: 'Genkan for parents',
  loading: 'Loading…',
  invite: {
    title: 'Register a passkey',
    lead: 'Your nursery invited you. Register a passkey on this device and sign in from now on with your fingerprint, face or screen lock. No password needed.',
    register: 'Register a passkey',
    working: 'Registering…',
  },
  signedOut: {
    title: 'Sign in',
    lead: 'Sign in with the passkey you registered on this device.',
    signIn: 'Sign in with a passkey',
    working: 'Checking…',
    firstTime: 'First time here? Open the invitation link your nursery sent you.',
  },
  home: {
    greeting: (name) => name,
    today: (day) => `Check-in and check-out, ${day}`,
    checkIn: 'In',
    checkOut: 'Out',
    none: '--:--',
    noChildren: 'No children to show yet. Please ask your nursery.',
    updated: (time) => `Updated ${time}`,
    signOut: 'Sign out',
  },
  status: {
    not_arrived: 'Not arrived yet',
    present: 'At the nursery',
    left: 'Picked up',
    absent: 'Absent',
  },
  sessionEnded: 'You were signed out. Please sign in again with your passkey.',
  unreachable: 'Cannot connect. Check your connection and try again.',
  unsupported: 'This browser does not support passkeys. Please try an up-to-date browser.',
  passkeyFailed: 'The passkey prompt was cancelled or timed out. Please try again.',
  tooMany: (seconds) =>
    seconds === null
      ? 'Too many attempts. Please wait a little and try again.'
      : `Too many attempts. Try again in ${seconds} s.`,
  genericError: (code) => `Something went wrong (${code}). Please try again.`,
};
