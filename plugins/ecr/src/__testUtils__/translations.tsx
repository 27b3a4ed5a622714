import { Fragment, isValidElement, ReactNode } from 'react';
import {
  TranslationApi,
  TranslationMessages,
  TranslationRef,
  TranslationSnapshot,
} from '@backstage/frontend-plugin-api';
import { mockApis } from '@backstage/test-utils';

type AnySnapshot = TranslationSnapshot<{ [key in string]: string }>;
type Values = { [name in string]: unknown };

const PLACEHOLDER = /{{([^{}]+)}}/;

/**
 * Fills in a message's `{{name}}` placeholders (a `{{name, format}}` is
 * filled with the bare value). A React element among the values makes the
 * result an element, as the app's translation API does.
 */
function interpolate(message: string, values: Values): ReactNode {
  // split() with a capture group puts each placeholder's name at odd indices.
  const parts = message.split(PLACEHOLDER).map((part, index) => {
    if (index % 2 === 0) return part;
    const value = values[part.split(',')[0].trim()];
    return value === undefined || value === null ? '' : value;
  });
  if (!parts.some(part => isValidElement(part))) {
    return parts.map(String).join('');
  }
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>{part as ReactNode}</Fragment>
      ))}
    </>
  );
}

/**
 * The test app's translation API (each ref's default messages, through
 * i18next) with an app's overrides on top, as `createTranslationMessages`
 * makes them: what a component shows when an adopter rewords it.
 *
 * An override of a plural message names its forms (`key_one`, `key_other`),
 * chosen by the `count` value with English plural rules.
 */
export function translationApiWithOverrides(
  ...overrides: TranslationMessages[]
): TranslationApi {
  const base = mockApis.translation();
  const plurals = new Intl.PluralRules('en');

  const overridesOf = (ref: TranslationRef) => {
    const messages: { [key in string]: string } = {};
    for (const override of overrides.filter(o => o.id === ref.id)) {
      for (const [key, message] of Object.entries(override.messages)) {
        if (typeof message === 'string') messages[key] = message;
      }
    }
    return messages;
  };

  const withOverrides = (
    ref: TranslationRef,
    snapshot: AnySnapshot,
  ): AnySnapshot => {
    const messages = overridesOf(ref);
    const t = (key: string, options?: Values) => {
      const values: Values = {
        ...options,
        ...(options?.replace as Values | undefined),
      };
      const count = values.count;
      const message =
        (typeof count === 'number'
          ? messages[`${key}_${plurals.select(count)}`]
          : undefined) ?? messages[key];
      return message === undefined
        ? (snapshot.t as (k: string, o?: Values) => ReactNode)(key, options)
        : interpolate(message, values);
    };
    return { ...snapshot, t: t as unknown as AnySnapshot['t'] };
  };

  return {
    getTranslation(ref) {
      return withOverrides(ref, base.getTranslation(ref)) as any;
    },
    translation$(ref) {
      const source = base.translation$(ref);
      const mapped: ReturnType<TranslationApi['translation$']> = {
        [Symbol.observable]: () => mapped,
        subscribe(
          observerOrNext?: any,
          onError?: (error: Error) => void,
          onComplete?: () => void,
        ) {
          const observer =
            typeof observerOrNext === 'object' && observerOrNext !== null
              ? observerOrNext
              : { next: observerOrNext, error: onError, complete: onComplete };
          return source.subscribe({
            next: snapshot =>
              observer.next?.(withOverrides(ref, snapshot as AnySnapshot)),
            error: error => observer.error?.(error),
            complete: () => observer.complete?.(),
          });
        },
      };
      return mapped as any;
    },
  };
}
