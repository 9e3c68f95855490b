// The roles the provider grants (the gongyak_roles claim, such as
// `department-editor@districts/gwangsan/departments/legal-support`), read
// and described in Korean. The descriptions are in roles.json, which a
// test checks against pkg/auth/permission.go.
import described from "./roles.json";

type PermissionKey = keyof typeof described.permissions;

interface RoleText {
  label: string;
  note: string;
  permits: PermissionKey[];
}

const roleTexts = described.roles as Record<string, RoleText>;

/** A grant as the console shows it. */
export interface ReadGrant {
  /** The claim's text as it came. */
  raw: string;
  role: string;
  /** The role's Korean name; the role itself when the console has none. */
  label: string;
  note: string;
  /** The district's id, or "" for a system-wide role. */
  district: string;
  /** The department's id, for a department editor's grant. */
  department: string;
  /** What the role permits, in Korean. */
  permits: string[];
  /** False when the console has no text for the role (a newer provider). */
  known: boolean;
}

/** Reads a grant, `role` or `role@districts/{d}[/departments/{x}]`. */
export function readGrant(raw: string): ReadGrant {
  const [role, resource = ""] = raw.split("@", 2);
  const parts = resource.split("/");
  const district = parts[0] === "districts" ? (parts[1] ?? "") : "";
  const department = parts[2] === "departments" ? (parts[3] ?? "") : "";
  const text = roleTexts[role];
  return {
    raw,
    role,
    label: text?.label ?? role,
    note: text?.note ?? "",
    district,
    department,
    permits: (text?.permits ?? []).map((p) => described.permissions[p]),
    known: Boolean(text),
  };
}

/** Whether one of roles gives permission in district: a role of that
 *  district (or one of its departments), or a system-wide one. What the
 *  page offers follows it; the API decides. */
export function permits(roles: string[], district: string, permission: PermissionKey): boolean {
  return roles.some((raw) => {
    const g = readGrant(raw);
    return (g.district === "" || g.district === district) && (roleTexts[g.role]?.permits ?? []).includes(permission);
  });
}
