// The API's errors are google.rpc.Status; this reads what the console
// shows of them.

interface Detail {
  "@type"?: string;
  reason?: string;
  fieldViolations?: { field?: string; description?: string }[];
}

/** An error answer of the API, read. */
export interface ApiError {
  status: number;
  /** The gRPC code's name, e.g. ABORTED. */
  code: string;
  message: string;
  /** Bad fields by their path as the API names them (budget.lines[3].year). */
  fields: Record<string, string>;
}

const codeNames: Record<number, string> = {
  3: "INVALID_ARGUMENT",
  5: "NOT_FOUND",
  6: "ALREADY_EXISTS",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  9: "FAILED_PRECONDITION",
  10: "ABORTED",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};

/** Reads the body of a failed answer. */
export function readError(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { code?: number; message?: string; details?: Detail[] };
  const fields: Record<string, string> = {};
  for (const d of b.details ?? []) {
    for (const v of d.fieldViolations ?? []) {
      if (v.field) fields[v.field] = v.description ?? "";
    }
  }
  return { status, code: codeNames[b.code ?? -1] ?? `HTTP ${status}`, message: b.message ?? "", fields };
}

/** What the user reads about err, in Korean. */
export function describe(err: ApiError): string {
  switch (err.code) {
    case "INVALID_ARGUMENT":
      return "입력한 내용에 잘못된 값이 있습니다.";
    case "NOT_FOUND":
      return "찾는 항목이 없습니다.";
    case "PERMISSION_DENIED":
      return "이 작업을 할 권한이 없습니다.";
    case "ABORTED":
      return "다른 사람이 먼저 고쳤습니다.";
    case "UNAVAILABLE":
      return "서비스가 잠시 응답하지 않습니다. 잠시 후 다시 시도하세요.";
    case "UNAUTHENTICATED":
      return "로그인이 필요합니다.";
    case "ALREADY_EXISTS":
      return "이미 있는 항목입니다.";
  }
  return `요청을 처리하지 못했습니다 (${err.code}).`;
}
