import { ERROR_TEXTS_EN } from './error-texts-en.ts';
import { ERROR_TEXTS_JA } from './error-texts-ja.ts';

/**
 * The apps' words for the hub's error codes, in Japanese (the default) and English. Browser-safe: the admin
 * app and the staff tablet import it. An error answer is {"error":{"code","message","params"?}}
 * (protocol/schemas.ts HttpErrorBody); its `message` is English for logs and integrators, and the apps show
 * errorText(lang, code, params) instead, falling back to their own generic text for a code not listed.
 */

export type MessageLang = 'ja' | 'en';

/** What a message is worded from: a field, a limit, a value (never a card number). */
export type MessageParams = Readonly<Record<string, string | number>>;

/** Reads one parameter as text (empty when the server sent none). */
export type ParamReader = (name: string) => string;

/** A code's text from its parameters. */
export type MessageText = (p: ParamReader) => string;

export type ErrorTexts = Readonly<Record<string, MessageText>>;

export const ERROR_TEXTS: Readonly<Record<MessageLang, ErrorTexts>> = {
  ja: ERROR_TEXTS_JA,
  en: ERROR_TEXTS_EN,
};

export function paramReader(params: MessageParams | undefined): ParamReader {
  return (name) => {
    const v = params?.[name];
    return v === undefined ? '' : String(v);
  };
}

/** The text of an error code in `lang`, or undefined for a code the catalogue does not know. */
export function errorText(lang: MessageLang, code: string, params?: MessageParams): string | undefined {
  const texts = ERROR_TEXTS[lang];
  if (!Object.hasOwn(texts, code)) return undefined;
  return texts[code]?.(paramReader(params));
}
