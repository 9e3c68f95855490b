// A pledge's card as the pledge service renders it (:render, HTML), with
// the ways to edit it.
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Anchor, Badge, Breadcrumbs, Button, Group, Loader, Stack, Title } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { statusLabels, type PledgeStatus } from "../labels";

/** A photo's content path as the card links it. */
const photoPath = /^\/v1\/districts\/([^/]+)\/pledges\/([^/]+)\/photos\/([^/:]+):content$/;

/** The card's photos put inline (data: URLs): the frame's own requests
 *  would carry no token, and a pledge that is not public refuses them. */
async function withPhotos(html: string): Promise<string> {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const imgs = [...doc.querySelectorAll("img")].filter((i) => photoPath.test(i.getAttribute("src") ?? ""));
  if (!imgs.length) return html;
  await Promise.all(
    imgs.map(async (img) => {
      const [, district, pledge, photo] = photoPath.exec(img.getAttribute("src")!)!;
      const { data } = await api.GET("/v1/districts/{district}/pledges/{pledge}/photos/{photo}:content", {
        params: { path: { district, pledge, photo } },
        parseAs: "blob",
      });
      if (!data) return; // left as it was: the frame shows the caption
      img.setAttribute("src", await dataURL(data as Blob));
    }),
  );
  return "<!doctype html>\n" + doc.documentElement.outerHTML;
}

function dataURL(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

export function PledgeCard({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const [info, setInfo] = useState<Schemas["Pledge"] | null>(null);
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    setHtml(null);
    setError("");
    const path = { district, pledge };
    api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } }).then(({ data }) => setInfo(data ?? null));
    api
      .GET("/v1/districts/{district}/pledges/{pledge}:render", { params: { path, query: { format: "html" } }, parseAs: "text" })
      .then(({ data, error, response }) => {
        if (error || data === undefined) setError(describe(readError(response.status, error)));
        else withPhotos(data as unknown as string).then(setHtml);
      });
  }, [district, pledge]);

  const base = `/districts/${district}/pledges/${pledge}`;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
        <span>{info?.code || pledge}</span>
      </Breadcrumbs>
      <Title order={1}>{info?.title ?? "공약 이행 카드"}</Title>
      <Group>
        {info && <Badge size="lg">{statusLabels[(info.status ?? "PLEDGE_STATUS_UNSPECIFIED") as PledgeStatus]}</Badge>}
        <Button component={Link} to={`${base}/edit`} variant="light">공약 편집</Button>
        <Button component={Link} to={`${base}/photos`} variant="light">사진</Button>
        <Button component={Link} to={`${base}/budget`} variant="light">예산 편집</Button>
        <Button component={Link} to={`${base}/indicators`} variant="light">성과지표 실적</Button>
        <Button component={Link} to={`${base}/progress`} variant="light">추진상황</Button>
        <Button component={Link} to={`${base}/status`} variant="light">상태 변경·이력</Button>
        <Button component={Link} to={`${base}/programs`} variant="light">참여 프로그램</Button>
      </Group>
      {error && <Alert color="red" title="카드를 불러오지 못했습니다">{error}</Alert>}
      {!html && !error && <Loader aria-label="불러오는 중" />}
      {html && (
        // The rendered card runs nothing: a sandbox without scripts.
        <iframe
          title="공약 이행 카드"
          srcDoc={html}
          sandbox=""
          style={{ width: "100%", minHeight: "80vh", border: "1px solid var(--mantine-color-gray-3)", background: "white" }}
        />
      )}
    </Stack>
  );
}
