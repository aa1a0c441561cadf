import { useCallback, useEffect, useState } from 'react';
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
  return usePartnerList().partners;
}

/** The partners, and a way to read them again (after one is added from a form). */
export function usePartnerList() {
  const [partners, setPartners] = useState<Partner[]>([]);
  const [loaded, setLoaded] = useState(false);
  const reload = useCallback(async () => {
    const result = await call('partners.list', {});
    if (result.ok) setPartners(result.value);
    setLoaded(true);
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { partners, loaded, reload };
}
