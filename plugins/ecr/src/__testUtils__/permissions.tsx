import { ReactNode } from 'react';
import { SWRConfig } from 'swr';

/**
 * usePermission caches decisions across renders; a fresh cache per test keeps
 * one test's decision from answering another's.
 */
export function FreshPermissionCache(props: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: () => new Map() }}>
      {props.children}
    </SWRConfig>
  );
}
