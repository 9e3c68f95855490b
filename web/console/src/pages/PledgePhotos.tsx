// A pledge's photos (VII 관련사진): each with its caption and its image,
// fetched through the API (the image needs the user's token, which an
// <img src> would not send), and a file uploaded to a new photo or in
// place of one's image. A new photo is first added to the pledge with its
// caption (with the pledge's etag), then its file is uploaded; an upload
// the API refuses leaves the photo without a file, to be chosen again.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Anchor, Breadcrumbs, Button, Card, FileInput, Image, Loader, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";

/** The image of photo n (from 1) as an object URL, or why there is none. */
function usePhotoImage(district: string, pledge: string, n: number, uri: string | undefined) {
  const [src, setSrc] = useState("");
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!uri) return;
    let url = "";
    let live = true;
    api
      .GET("/v1/districts/{district}/pledges/{pledge}/photos/{photo}:content", { params: { path: { district, pledge, photo: String(n) } }, parseAs: "blob" })
      .then(({ data, error }) => {
        if (!live) return;
        if (error || !data) setFailed(true);
        else setSrc((url = URL.createObjectURL(data as unknown as Blob)));
      });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [district, pledge, n, uri]);
  return { src, failed };
}

function PhotoCard({ district, pledge, n, photo }: { district: string; pledge: string; n: number; photo: Schemas["Photo"] }) {
  const { src, failed } = usePhotoImage(district, pledge, n, photo.uri);
  const caption = photo.caption || `사진 ${n}`;
  return (
    <Card withBorder component="figure" m={0} aria-label={`사진 ${n}`}>
      {photo.uri && src && <Image src={src} alt={caption} fit="contain" h={180} />}
      {photo.uri && !src && !failed && <Loader size="sm" aria-label={`사진 ${n} 불러오는 중`} />}
      {failed && <Text c="red" size="sm">이미지를 불러오지 못했습니다.</Text>}
      {!photo.uri && <Text size="sm">파일 없음</Text>}
      <Text component="figcaption" size="sm" mt="xs">{n}. {caption}</Text>
      {photo.text && <Text size="xs" style={{ whiteSpace: "pre-wrap" }}>{photo.text}</Text>}
    </Card>
  );
}

export function PledgePhotos({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const path = useMemo(() => ({ district, pledge }), [district, pledge]);
  const [info, setInfo] = useState<Schemas["Pledge"] | null>(null);
  const [loadFailure, setLoadFailure] = useState("");
  const [target, setTarget] = useState("new");
  const [caption, setCaption] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<{ caption?: string; file?: string }>({});
  const [failure, setFailure] = useState("");
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data, error, response } = await api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } });
    if (error || !data) setLoadFailure(describe(readError(response.status, error)));
    else setInfo(data);
    return data;
  }, [path]);
  useEffect(() => {
    load();
  }, [load]);

  /** Adds a photo with the caption; its number (from 1), or 0 when refused. */
  const addPhoto = async (): Promise<number> => {
    const photos = [...(info?.photos ?? []).map((p) => ({ caption: p.caption, text: p.text })), { caption }];
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/pledges/{pledge}", {
      params: { path },
      body: { photos, etag: info?.etag } as Schemas["Pledge"],
    });
    if (error || !data) {
      const err = readError(response.status, error);
      const at = Object.entries(err.fields).find(([f]) => f.startsWith(`pledge.photos[${photos.length - 1}]`));
      setErrors({ caption: at?.[1] });
      setFailure(err.code === "ABORTED" ? "다른 사람이 먼저 공약을 고쳤습니다. 다시 불러왔으니 다시 올리세요." : describe(err));
      if (err.code === "ABORTED") load();
      return 0;
    }
    setInfo(data);
    return data.photos?.length ?? 0;
  };

  const upload = async (e: React.FormEvent) => {
    e.preventDefault();
    setErrors({});
    setFailure("");
    if (!file) {
      setErrors({ file: "올릴 파일을 고르세요." });
      return;
    }
    setBusy(true);
    const n = target === "new" ? await addPhoto() : Number(target);
    if (!n) {
      setBusy(false);
      return;
    }
    // The file goes as it is, with its own type: the gateway takes an
    // image body whole (the OpenAPI document describes it as HttpBody).
    const { data, error, response } = await api.POST("/v1/districts/{district}/pledges/{pledge}/photos/{photo}:upload", {
      params: { path: { district, pledge, photo: String(n) } },
      body: file as unknown as Schemas["HttpBody"],
      bodySerializer: (b) => b as unknown as BodyInit,
      headers: { "Content-Type": file.type || "application/octet-stream" },
    });
    setBusy(false);
    await load();
    if (error || !data) {
      const err = readError(response.status, error);
      const why = Object.entries(err.fields).map(([, w]) => w).join("; ") || err.message;
      setErrors({ file: `파일을 받지 않았습니다: ${why}` });
      setFailure(`${describe(err)} 사진 ${n}은 파일 없이 남았습니다. 다른 파일을 골라 "사진 ${n}에 올리기"로 다시 올리세요.`);
      setTarget(String(n));
      return;
    }
    setFile(null);
    setCaption("");
    setTarget("new");
    notifications.show({ message: `사진 ${n}을 올렸습니다.`, color: "teal" });
  };

  const photos = info?.photos ?? [];
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
        <Anchor component={Link} to={`/districts/${district}/pledges/${pledge}`}>{info?.title ?? pledge}</Anchor>
        <span>사진</span>
      </Breadcrumbs>
      <Title order={1}>관련사진</Title>
      {loadFailure && <Alert color="red" title="공약을 불러오지 못했습니다" role="alert">{loadFailure}</Alert>}
      {!info && !loadFailure && <Loader aria-label="불러오는 중" />}
      {info && photos.length === 0 && <Text>등록된 사진이 없습니다.</Text>}
      {photos.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} aria-label="사진 목록">
          {photos.map((p, i) => <PhotoCard key={`${i}-${p.uri ?? ""}`} district={district} pledge={pledge} n={i + 1} photo={p} />)}
        </SimpleGrid>
      )}
      {info && (
        <Card withBorder component="form" onSubmit={upload} aria-label="사진 올리기">
          <Stack>
            <Title order={2} size="h4">사진 올리기</Title>
            <Select label="올릴 자리" allowDeselect={false} value={target} onChange={(v) => v && setTarget(v)}
              data={[{ value: "new", label: "새 사진" }, ...photos.map((p, i) => ({ value: String(i + 1), label: `사진 ${i + 1}에 올리기 (${p.caption || "설명 없음"})` }))]} />
            {target === "new" && (
              <TextInput label="사진 설명" value={caption} onChange={(e) => setCaption(e.currentTarget.value)} error={errors.caption} />
            )}
            <FileInput label="사진 파일 (JPEG, PNG)" description="5 MiB까지" placeholder="파일 선택" accept="image/jpeg,image/png" clearable
              value={file} onChange={setFile} error={errors.file} />
            {failure && <Alert color="red" role="alert">{failure}</Alert>}
            <Button type="submit" loading={busy} w="fit-content">올리기</Button>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
