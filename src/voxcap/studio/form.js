// The script form: what the server offers (engines, voices, caption looks, limits) and the
// request body it builds.
import { api } from "./api.js";
import { $, option } from "./dom.js";
import { renderCaption } from "./player.js";
import { state } from "./state.js";

export async function loadCapabilities() {
  const caps = await api("/v1/capabilities");
  state.caps = caps;
  const engine = $("engine");
  engine.replaceChildren(
    ...caps.engines.map((e) => option(e.name, e.problem ? `${e.name} (not ready)` : e.name)),
  );
  engine.value = caps.default_engine;
  if (engineInfo().problem) {
    const ready = caps.engines.find((e) => !e.problem); // e.g. f5 without its weights: piper
    if (ready) engine.value = ready.name;
  }
  $("caption-style").replaceChildren(...Object.keys(caps.caption_styles).map((n) => option(n)));
  $("cue-mode").replaceChildren(...caps.cue_modes.map((n) => option(n)));
  $("animation").replaceChildren(option("", "style's own"), ...caps.animations.map((n) => option(n)));
  $("brand").replaceChildren(option("", "none"), ...caps.brands.map((n) => option(n)));
  $("loudness").replaceChildren(
    option("", "default (a video at -14 LUFS)"),
    option("off", "as spoken"),
    ...Object.entries(caps.loudness_presets).map(([n, lufs]) => option(n, `${n} (${lufs} LUFS)`)),
  );
  $("audio-format").replaceChildren(...caps.audio_formats.map((n) => option(n)));
  if (caps.audio_formats.includes("mp3")) $("audio-format").value = "mp3"; // the API's default
  $("aspect").replaceChildren(...caps.video.aspects.map((n) => option(n)));
  $("video-on").disabled = !caps.video.available;
  $("video-on").title = caps.video.available ? "" : "this server has no ffmpeg with libass";
  $("voice-transcript").placeholder = caps.transcribes
    ? "leave empty to have the server transcribe it"
    : "needed to clone the voice";
  applyStyle();
  countCharacters();
}

export function engineInfo() {
  return state.caps.engines.find((e) => e.name === $("engine").value);
}

export function fillVoices() {
  const select = $("voice");
  const chosen = select.value;
  const info = engineInfo();
  const options = [option("", "engine default")];
  if (info && info.clones) {
    options.push(...state.voices.map((v) => option(v.name, `${v.name} (library)`)));
  }
  if (info) options.push(...info.voices.map((n) => option(n)));
  select.replaceChildren(...options);
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  const engineProblem = info && info.problem;
  $("engine").setCustomValidity(engineProblem ? engineProblem : "");
}

export function applyStyle() {
  const preset = state.caps.caption_styles[$("caption-style").value];
  $("colour").value = preset.colour.toLowerCase();
  $("highlight").value = preset.highlight.toLowerCase();
  $("font-size").value = preset.size;
  renderCaption();
}

export function countCharacters() {
  const limit = state.caps ? state.caps.limits.max_text_chars : 0;
  const n = $("text").value.length;
  const count = $("count");
  count.textContent = `${n.toLocaleString()} / ${limit.toLocaleString()} characters`;
  count.classList.toggle("over", n > limit);
  $("run").disabled = n === 0 || n > limit || state.job !== null;
}

// The caption look and video fields of the form (what POST /v1/align takes too).
export const LOOK = ["caption_style", "cue_mode", "max_words", "captions", "position", "brand", "animation",
  "hook", "keywords", "colour", "highlight", "font_size", "video"];

export function speechBody() {
  const preset = state.caps.caption_styles[$("caption-style").value];
  const body = {
    text: $("text").value,
    engine: $("engine").value,
    speed: Number($("speed").value) || 1,
    caption_style: preset.name,
    cue_mode: $("cue-mode").value,
    max_words: Number($("max-words").value) || 4,
    captions: state.caps.caption_formats.filter((f) => f !== "txt"), // txt: a transcript's
    audio_format: $("audio-format").value,
  };
  const optional = {
    voice: $("voice").value,
    seed: $("seed").value === "" ? "" : Number($("seed").value),
    verify: $("verify").value === "" ? "" : $("verify").value === "true",
    position: $("position").value,
    loudness: $("loudness").value,
    brand: $("brand").value,
    animation: $("animation").value,
    hook: $("hook").value.trim(),
  };
  const keywords = $("keywords").value.split(",").map((k) => k.trim()).filter((k) => k);
  if (keywords.length) body.keywords = keywords;
  const lexicons = $("lexicons").value.split(",").map((k) => k.trim()).filter((k) => k);
  if (lexicons.length) body.lexicons = lexicons;
  const speakers = speakerVoices($("speakers").value);
  if (Object.keys(speakers).length) body.speakers = speakers;
  for (const [name, value] of Object.entries(optional)) if (value !== "") body[name] = value;
  if ($("colour").value.toUpperCase() !== preset.colour.toUpperCase()) body.colour = $("colour").value;
  if ($("highlight").value.toUpperCase() !== preset.highlight.toUpperCase()) body.highlight = $("highlight").value;
  if (Number($("font-size").value) !== preset.size && $("font-size").value !== "") body.font_size = Number($("font-size").value);
  if ($("video-on").checked) body.video = { aspect: $("aspect").value, background: $("background").value };
  return body;
}

// "Ana=piper:joe" lines: a dialogue's voice per speaker (docs/DIRECTING.md)
export function speakerVoices(text) {
  const speakers = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0 && line.slice(at + 1).trim()) speakers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return speakers;
}
