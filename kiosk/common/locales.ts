/** The screen's languages; a module without schemas, so the CLI can list them without loading zod. */
export const LOCALES = ['ja', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
