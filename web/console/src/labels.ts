// Korean names of the API's enums, as the card writes them.
import type { Schemas } from "./api/client";

export type PledgeStatus = Schemas["PledgeStatus"];
export type FundingSource = Schemas["FundingSource"];

export const statusLabels: Record<PledgeStatus, string> = {
  PLEDGE_STATUS_UNSPECIFIED: "미지정",
  PLEDGE_STATUS_COMPLETED: "완료",
  PLEDGE_STATUS_COMPLETED_CONTINUING: "이행 후 계속추진",
  PLEDGE_STATUS_ON_TRACK: "정상추진",
  PLEDGE_STATUS_PARTIAL: "일부추진",
  PLEDGE_STATUS_ON_HOLD: "보류",
  PLEDGE_STATUS_ABANDONED: "폐기",
};

/** The statuses a pledge can be given, in the card's order. */
export const settableStatuses: PledgeStatus[] = [
  "PLEDGE_STATUS_COMPLETED",
  "PLEDGE_STATUS_COMPLETED_CONTINUING",
  "PLEDGE_STATUS_ON_TRACK",
  "PLEDGE_STATUS_PARTIAL",
  "PLEDGE_STATUS_ON_HOLD",
  "PLEDGE_STATUS_ABANDONED",
];

export const sourceLabels: Record<FundingSource, string> = {
  FUNDING_SOURCE_UNSPECIFIED: "미지정",
  FUNDING_SOURCE_NATIONAL: "국비",
  FUNDING_SOURCE_METROPOLITAN: "시·도비",
  FUNDING_SOURCE_LOCAL: "구·군비",
  FUNDING_SOURCE_PRIVATE_OTHER: "민자·기타",
};

/** Won as the card writes it: 백만원 with up to two decimals. */
export function millionWon(won: string | undefined): string {
  if (!won) return "-";
  const n = Number(won) / 1_000_000;
  return n.toLocaleString("ko-KR", { maximumFractionDigits: 2 });
}

/** A rate the API gives as a percent string ("62.50"), or a dash. */
export function percent(rate: string | undefined): string {
  return rate ? `${rate}%` : "-";
}

/** The last segment of a resource name (districts/gwangsan → gwangsan). */
export function idOf(name: string | undefined): string {
  return (name ?? "").split("/").pop() ?? "";
}
