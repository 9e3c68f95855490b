// A district's terms (민선 n기), for the pages that choose one.
import { useEffect, useState } from "react";
import { api, type Schemas } from "./api/client";

export function useTerms(district: string): Schemas["Term"][] {
  const [terms, setTerms] = useState<Schemas["Term"][]>([]);
  useEffect(() => {
    api.GET("/v1/districts/{district}", { params: { path: { district } } }).then(({ data }) => setTerms(data?.terms ?? []));
  }, [district]);
  return terms;
}

/** The terms as a Select's options. */
export function termOptions(terms: Schemas["Term"][]) {
  return terms.map((t) => ({ value: String(t.number), label: t.displayName || `민선 ${t.number}기` }));
}
