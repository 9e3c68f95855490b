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

/** The term a district's pages open on: the current term when it has
 *  pledges, else the latest term that has some (a district that has just
 *  begun a term still shows its last one's work), else 0, the current term.
 *  Null until known. */
export function useOpeningTerm(district: string): number | null {
  const [term, setTerm] = useState<number | null>(null);
  useEffect(() => {
    setTerm(null);
    Promise.all([
      api.GET("/v1/districts/{district}", { params: { path: { district } } }),
      api.GET("/v1/districts/{district}/pledges:summarize", {
        params: { path: { district }, query: { groupBy: ["term"], pageSize: 500 } },
      }),
    ]).then(([d, s]) => setTerm(openingTerm(d.data?.currentTerm ?? 0, s.data?.rows ?? [])));
  }, [district]);
  return term;
}

function openingTerm(current: number, rows: Schemas["PledgeSummary"][]): number {
  const withPledges = rows.filter((r) => (r.pledgeCount ?? 0) > 0).map((r) => r.term ?? 0);
  if (withPledges.includes(current)) return current;
  return withPledges.length ? Math.max(...withPledges) : 0;
}
