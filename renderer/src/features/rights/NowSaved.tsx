import { useTranslation } from 'react-i18next';
import type { HistoryRow } from '../../../../electron/contract/index.ts';
import { NowSavedFacts } from '../../components/NowSavedFacts.tsx';
import { useCatalogue } from '../clients/useCatalogue.ts';
import { fieldValue } from './RightsPanel.tsx';

/** What a client's record holds now, after a change to it was refused (RECORD_CHANGED): its fields as the history names them. */
export function NowSaved({ entity, values }: { entity: HistoryRow['entity']; values: [field: string, value: string | number | null][] }) {
  const { t } = useTranslation();
  const { nameOf } = useCatalogue();
  return <NowSavedFacts facts={values.map(([field, value]) => [t(`rights.fields.${field}`), fieldValue(t, { entity, field }, value === null ? null : String(value), nameOf)] as const)} />;
}
