// The implementation report as files officials take away: the spreadsheet
// (xlsx), the CSV bundle, and the printable disclosure of every card.
import { useState } from "react";
import { Alert, Button, Group } from "@mantine/core";
import { api } from "../api/client";
import { describe, readError } from "../api/errors";

type Kind = "xlsx" | "csv" | "disclose";

const labels: Record<Kind, string> = {
  xlsx: "엑셀로 내려받기",
  csv: "CSV로 내려받기",
  disclose: "공개용 공약집 내려받기",
};

/** The file name the server gives (Content-Disposition), else fallback. */
function fileName(res: Response, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "");
  return m?.[1] ?? fallback;
}

/** Hands the browser a file to save, as a link the user clicked would. */
function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy by now.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Exports({ district, term }: { district: string; term: number }) {
  const [busy, setBusy] = useState<Kind | null>(null);
  const [error, setError] = useState("");

  async function download(kind: Kind) {
    setBusy(kind);
    setError("");
    try {
      const { data, error, response } =
        kind === "disclose"
          ? await api.GET("/v1/districts/{district}:disclose", {
              params: { path: { district }, query: { term } },
              parseAs: "blob",
            })
          : await api.GET("/v1/districts/{district}/implementationReport:export", {
              params: { path: { district }, query: { term, format: kind } },
              parseAs: "blob",
            });
      if (error || !data) {
        setError(describe(readError(response.status, error)));
        return;
      }
      const fallback = kind === "disclose" ? `${district}-${term}-공약.html` : `${district}-${term}-이행현황.${kind === "csv" ? "zip" : "xlsx"}`;
      save(data as Blob, fileName(response, fallback));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <Group gap="xs">
        {(Object.keys(labels) as Kind[]).map((k) => (
          <Button key={k} size="xs" variant="default" loading={busy === k} disabled={busy !== null && busy !== k} onClick={() => download(k)}>
            {labels[k]}
          </Button>
        ))}
      </Group>
      {error && <Alert color="red" title="파일을 만들지 못했습니다">{error}</Alert>}
    </>
  );
}
