// The public HTTP API (docs/API.md) on the page's own origin: requests with the API key, when
// the server wants one (kept in this browser's localStorage, sent as a Bearer token), its
// errors as ApiError, and a job's Server-Sent Events.

export const KEY = "voxcap.key";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function headers(extra = {}) {
  const out = new Headers(extra);
  const key = localStorage.getItem(KEY);
  if (key) out.set("Authorization", `Bearer ${key}`);
  return out;
}

export async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (!response.ok) {
    let code = "http_error";
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body.error) ({ code, message } = body.error);
    } catch (_) {
      // not JSON: keep the status line
    }
    if (response.status === 401 || response.status === 403) document.getElementById("key-form").hidden = false;
    throw new ApiError(response.status, code, message);
  }
  return response.status === 204 ? null : response.json();
}

export function json(body) {
  return { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
}

// Server-Sent Events over fetch (EventSource cannot send an Authorization header).
export async function follow(id, onProgress) {
  const response = await fetch(`/v1/jobs/${id}/events`, { headers: headers() });
  if (!response.ok) return api(`/v1/jobs/${id}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (!data) continue;
      const job = JSON.parse(data);
      if (event === "done") {
        await reader.cancel();
        return job;
      }
      onProgress(job);
    }
  }
  return api(`/v1/jobs/${id}`); // the stream ended early: ask where the job stands
}
