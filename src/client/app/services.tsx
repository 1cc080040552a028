// What the views need from outside React: the API client, the draft store, the theme and
// a clock. Tests build the same context around stub servers and temp folders.
import { createContext, useContext, type ReactNode } from "react";
import type { ApiClient } from "../api-client.js";
import type { DraftStore } from "../config/draft-store.js";
import type { Theme } from "../theme.js";

export interface Services {
  api: ApiClient;
  drafts: DraftStore;
  theme: Theme;
  now: () => Date;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider(props: { value: Services; children: ReactNode }): ReactNode {
  return <ServicesContext.Provider value={props.value}>{props.children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices outside ServicesProvider");
  return services;
}

export function useTheme(): Theme {
  return useServices().theme;
}
