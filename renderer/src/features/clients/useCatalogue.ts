import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Partner, ServiceType } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';

/** The service catalogue, and a name for a type in the reader's language. */
export function useCatalogue() {
  const { i18n } = useTranslation();
  const [types, setTypes] = useState<ServiceType[]>([]);
  useEffect(() => {
    void call('catalogue.list', {}).then((result) => result.ok && setTypes(result.value));
  }, []);
  const nameOf = (id: number) => {
    const type = types.find((row) => row.id === id);
    if (!type) return '';
    return i18n.language === 'en' ? type.nameEn : type.nameVi;
  };
  return { types, nameOf };
}

export function usePartners() {
  const [partners, setPartners] = useState<Partner[]>([]);
  useEffect(() => {
    void call('partners.list', {}).then((result) => result.ok && setPartners(result.value));
  }, []);
  return partners;
}
