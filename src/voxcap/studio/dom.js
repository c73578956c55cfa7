// The page's small helpers: elements by id and by recipe, sizes in words, and the one error
// line every action reports to.
import { ApiError } from "./api.js";

export const $ = (id) => document.getElementById(id);

export function showError(error) {
  const alert = $("alert");
  alert.textContent = error instanceof ApiError ? `${error.message} (${error.code})` : String(error.message || error);
  alert.hidden = false;
}

export function clearError() {
  $("alert").hidden = true;
  $("alert").textContent = "";
}

export async function guarded(work) {
  clearError();
  try {
    await work();
  } catch (error) {
    showError(error);
  }
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node) node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

export function option(value, label = value) {
  return el("option", { value, textContent: label });
}

export function kilobytes(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}
