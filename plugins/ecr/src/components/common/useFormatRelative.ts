import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ecrTranslationRef } from '../../translation';
import { formatRelative } from './format';

/** {@link formatRelative} with the plugin's "just now" message. */
export function useFormatRelative(): (iso: string) => string {
  const { t } = useTranslationRef(ecrTranslationRef);
  const justNow = t('common.justNow');
  return iso => formatRelative(iso, justNow);
}
