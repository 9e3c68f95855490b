// The typed client of the public REST API (same origin, through the
// gateway), generated from pkg/openapi/gongyak.swagger.json.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { accessToken } from "../auth";

export type Schemas = components["schemas"];

let onUnauthenticated: () => void = () => {};

/** Sets what happens when the API says the token is no longer good. */
export function whenUnauthenticated(f: () => void) {
  onUnauthenticated = f;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = accessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthenticated();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);
