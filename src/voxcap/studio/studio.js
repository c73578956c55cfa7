// voxcap studio: voices, a script, a narration job with live progress, a preview whose words
// light up with the audio, and the files to download. It speaks the public HTTP API
// (docs/API.md) on its own origin; an API key, when the server wants one, is kept in this
// browser's localStorage and sent as a Bearer token.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "voxcap.key";
const HISTORY = 20;
const UNSURE = 0.5; // words verified below this confidence are marked
const state = {
  caps: null,
  voices: [],
  job: null, // the job being followed or shown
  words: [],
  now: -1, // index of the highlighted word
  recording: null, // the microphone recording (a Blob) when there is one
  recorder: null,
  captioned: null, // the user's recording being captioned: { file, url } (an object URL)
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// ------------------------------------------------------------------ the API
function headers(extra = {}) {
  const out = new Headers(extra);
  const key = localStorage.getItem(KEY);
  if (key) out.set("Authorization", `Bearer ${key}`);
  return out;
}

async function api(path, options = {}) {
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
    if (response.status === 401 || response.status === 403) $("key-form").hidden = false;
    throw new ApiError(response.status, code, message);
  }
  return response.status === 204 ? null : response.json();
}

function json(body) {
  return { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
}

// Server-Sent Events over fetch (EventSource cannot send an Authorization header).
async function follow(id, onProgress) {
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

// ------------------------------------------------------------------ messages
function showError(error) {
  const alert = $("alert");
  alert.textContent = error instanceof ApiError ? `${error.message} (${error.code})` : String(error.message || error);
  alert.hidden = false;
}

function clearError() {
  $("alert").hidden = true;
  $("alert").textContent = "";
}

async function guarded(work) {
  clearError();
  try {
    await work();
  } catch (error) {
    showError(error);
  }
}

function el(tag, props = {}, ...children) {
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

function option(value, label = value) {
  return el("option", { value, textContent: label });
}

function kilobytes(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

// ------------------------------------------------------------------ capabilities and form
async function loadCapabilities() {
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

function engineInfo() {
  return state.caps.engines.find((e) => e.name === $("engine").value);
}

function fillVoices() {
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

function applyStyle() {
  const preset = state.caps.caption_styles[$("caption-style").value];
  $("colour").value = preset.colour.toLowerCase();
  $("highlight").value = preset.highlight.toLowerCase();
  $("font-size").value = preset.size;
  renderCaption();
}

function countCharacters() {
  const limit = state.caps ? state.caps.limits.max_text_chars : 0;
  const n = $("text").value.length;
  const count = $("count");
  count.textContent = `${n.toLocaleString()} / ${limit.toLocaleString()} characters`;
  count.classList.toggle("over", n > limit);
  $("run").disabled = n === 0 || n > limit || state.job !== null;
}

// The caption look and video fields of the form (what POST /v1/align takes too).
const LOOK = ["caption_style", "cue_mode", "max_words", "captions", "position", "brand", "animation",
  "hook", "keywords", "colour", "highlight", "font_size", "video"];

function speechBody() {
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
  for (const [name, value] of Object.entries(optional)) if (value !== "") body[name] = value;
  if ($("colour").value.toUpperCase() !== preset.colour.toUpperCase()) body.colour = $("colour").value;
  if ($("highlight").value.toUpperCase() !== preset.highlight.toUpperCase()) body.highlight = $("highlight").value;
  if (Number($("font-size").value) !== preset.size && $("font-size").value !== "") body.font_size = Number($("font-size").value);
  if ($("video-on").checked) body.video = { aspect: $("aspect").value, background: $("background").value };
  return body;
}

// ------------------------------------------------------------------ voices
async function loadVoices() {
  state.voices = await api("/v1/voices");
  const list = $("voice-list");
  list.replaceChildren(
    ...state.voices.map((voice) => {
      const notes = el("ul", { class: "notes" }, ...voice.notes.map((n) => el("li", { textContent: n })));
      const item = el(
        "li",
        { "data-voice": voice.name },
        el("strong", { textContent: voice.name }),
        el("span", {
          class: "meta",
          textContent: ` ${voice.duration.toFixed(1)} s · ${voice.shared ? "shared" : "yours"}`,
        }),
        voice.transcript ? el("div", { class: "meta", textContent: `“${voice.transcript}”` }) : "",
        voice.notes.length ? notes : "",
      );
      if (voice.audio_url) {
        item.append(el("audio", { controls: true, preload: "none", src: voice.audio_url, "aria-label": `Clip of ${voice.name}` }));
      }
      if (!voice.shared || !localStorage.getItem(KEY)) {
        item.append(el("button", { type: "button", textContent: "Delete", "aria-label": `Delete voice ${voice.name}`, onclick: () => deleteVoice(voice.name) }));
      }
      return item;
    }),
  );
  if (!state.voices.length) list.append(el("li", { class: "meta", textContent: "No voices yet: add one below." }));
  fillVoices();
}

async function deleteVoice(name) {
  if (!window.confirm(`Delete the voice ${name}?`)) return;
  await guarded(async () => {
    await api(`/v1/voices/${encodeURIComponent(name)}`, { method: "DELETE" });
    await loadVoices();
  });
}

async function addVoice(event) {
  event.preventDefault();
  const feedback = $("voice-feedback");
  await guarded(async () => {
    const file = $("voice-file").files[0];
    const clip = file || state.recording;
    if (!clip) throw new Error("choose a clip or record one first");
    if (clip.size > state.caps.limits.max_voice_bytes) {
      throw new Error(`the clip is ${kilobytes(clip.size)}; the limit is ${kilobytes(state.caps.limits.max_voice_bytes)}`);
    }
    const form = new FormData();
    form.append("name", $("voice-name").value);
    form.append("audio", clip, file ? file.name : "recording.webm");
    form.append("transcript", $("voice-transcript").value);
    $("voice-add").disabled = true;
    feedback.textContent = "Adding…";
    try {
      const voice = await api("/v1/voices", { method: "POST", body: form });
      feedback.replaceChildren(
        `Added ${voice.name}: ${voice.duration.toFixed(1)} s.`,
        ...voice.notes.map((n) => el("span", { class: "bad", textContent: ` Note: ${n}.` })),
      );
      $("voice-form").reset();
      state.recording = null;
      $("recorded").hidden = true;
      await loadVoices();
      $("voice").value = [...$("voice").options].some((o) => o.value === voice.name) ? voice.name : $("voice").value;
    } catch (error) {
      feedback.replaceChildren(el("span", { class: "bad", textContent: error.message }));
      throw error;
    } finally {
      $("voice-add").disabled = false;
    }
  });
}

async function toggleRecording() {
  const button = $("record");
  if (state.recorder) {
    state.recorder.stop();
    return;
  }
  await guarded(async () => {
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      throw new Error("this browser cannot record here (recording needs https or localhost)");
    }
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    recorder.addEventListener("dataavailable", (e) => chunks.push(e.data));
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((t) => t.stop());
      state.recording = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      state.recorder = null;
      const player = $("recorded");
      player.src = URL.createObjectURL(state.recording);
      player.hidden = false;
      button.textContent = "Record again";
      $("record-state").textContent = `Recorded ${kilobytes(state.recording.size)}.`;
    });
    recorder.start();
    state.recorder = recorder;
    button.textContent = "Stop recording";
    $("record-state").textContent = "Recording…";
  });
}

// ------------------------------------------------------------------ running a job
async function narrate(event) {
  event.preventDefault();
  await guarded(async () => {
    state.captioned = null;
    $("retime-box").hidden = true;
    const job = await api("/v1/speech", json(speechBody()));
    await watch(job);
  });
}

// Caption the user's own recording: transcribed when ``text`` is empty, else timed to it.
async function captionRecording(text) {
  await guarded(async () => {
    const file = $("recording-file").files[0];
    if (!file) throw new Error("choose a recording first");
    const body = speechBody();
    const options = Object.fromEntries(LOOK.filter((k) => k in body).map((k) => [k, body[k]]));
    const form = new FormData();
    form.append("audio", file, file.name);
    form.append("options", JSON.stringify(options));
    if (text) form.append("text", text);
    if (!state.captioned || state.captioned.file !== file) {
      if (state.captioned) URL.revokeObjectURL(state.captioned.url);
      state.captioned = { file, url: URL.createObjectURL(file) };
    }
    $("caption-run").disabled = $("retime").disabled = true;
    try {
      await watch(await api("/v1/align", { method: "POST", body: form }));
    } finally {
      $("caption-run").disabled = $("retime").disabled = false;
    }
  });
}

async function watch(job) {
  state.job = job;
  $("cancel").disabled = job.status !== "queued";
  countCharacters();
  showProgress(job);
  try {
    const done = job.status === "queued" || job.status === "running" ? await follow(job.id, showProgress) : job;
    showProgress(done);
    if (done.status === "succeeded") showResult(done);
    else if (done.error) showError(new ApiError(0, done.error.code, done.error.message));
    loadHistory().catch(showError);
  } finally {
    state.job = null;
    $("cancel").disabled = true;
    countCharacters();
  }
}

function showProgress(job) {
  const { stage, fraction } = job.progress;
  $("progress").value = job.status === "succeeded" ? 1 : fraction;
  const label = job.status === "running" && stage ? `${stage} ${Math.round(fraction * 100)}%` : job.status;
  $("stage").textContent = label;
  $("cancel").disabled = job.status !== "queued";
}

async function cancelJob() {
  if (!state.job) return;
  await guarded(async () => showProgress(await api(`/v1/jobs/${state.job.id}`, { method: "DELETE" })));
}

// ------------------------------------------------------------------ the preview
function showResult(job) {
  const result = job.result;
  state.words = result.words;
  state.now = -1;
  const player = $("player");
  player.src = result.audio ? result.audio.url : state.captioned ? state.captioned.url : "";
  if (result.captions.txt) {
    $("transcript").value = result.words.map((w) => w.text).join(" ");
    $("retime-box").hidden = false;
  }
  const words = $("words");
  words.replaceChildren(
    ...result.words.map((word, i) => {
      const sure = word.confidence === undefined ? "" : ` · confidence ${word.confidence.toFixed(2)}`;
      const button = el("button", {
        type: "button",
        class: "word",
        textContent: word.text,
        title: `${word.start.toFixed(2)}–${word.end.toFixed(2)} s${sure}`,
        "data-index": i,
        onclick: () => {
          player.currentTime = word.start;
          highlight();
        },
      });
      if (word.confidence !== undefined && word.confidence < UNSURE) button.classList.add("unsure");
      return button;
    }),
  );
  const flagged = result.verification ? result.verification.sentences.filter((s) => s.status !== "ok") : [];
  $("summary").textContent = result.verification
    ? flagged.length
      ? flagged.map((s) => `${s.status}: ${s.reason} (“${s.text}”)`).join(" · ")
      : `All ${result.words.length} words verified.`
    : `${result.words.length} words, ${result.duration.toFixed(1)} s.`;
  const video = $("video"); // the rendered video replaces the sketch of the captions
  video.hidden = !result.video;
  $("caption").hidden = Boolean(result.video);
  if (result.video) video.src = result.video.url;
  else video.removeAttribute("src");
  const files = [
    ...(result.audio ? [["audio", result.audio]] : []),
    ...Object.entries(result.captions).map(([name, file]) => [`${name} captions`, file]),
  ];
  if (result.video) files.push(["video", result.video]);
  $("downloads").replaceChildren(
    ...files.map(([name, file]) =>
      el("li", {}, el("a", { href: file.url, download: "", textContent: `${name} (${file.format}, ${kilobytes(file.bytes)})` })),
    ),
  );
  renderCaption();
}

// The highlighted word is the one whose [start, end) holds the player's current time.
function highlight() {
  const t = $("player").currentTime;
  const index = state.words.findIndex((w) => w.start <= t && t < w.end);
  if (index === state.now) return;
  const buttons = $("words").children;
  if (state.now >= 0 && buttons[state.now]) {
    buttons[state.now].classList.remove("now");
    buttons[state.now].removeAttribute("aria-current");
  }
  if (index >= 0 && buttons[index]) {
    buttons[index].classList.add("now");
    buttons[index].setAttribute("aria-current", "true");
  }
  state.now = index;
  renderCaption();
}

function playing() {
  highlight();
  if (!$("player").paused) requestAnimationFrame(playing);
}

// A 9:16 (or the chosen aspect) sketch of the caption preset over the background: the cue
// holding the current word, with that word (or every word so far, for karaoke) highlighted.
function renderCaption() {
  if (!state.caps) return;
  const frame = $("frame");
  const [w, h] = $("aspect").value.split(":").map(Number);
  frame.style.aspectRatio = `${w} / ${h}`;
  frame.style.background = $("background").value;
  const caption = $("caption");
  const preset = state.caps.caption_styles[$("caption-style").value];
  caption.classList.toggle("middle", ($("position").value || preset.position) === "middle");
  const scale = frame.clientWidth / Math.min(1080, (1080 * w) / Math.min(w, h));
  caption.style.fontFamily = `"${preset.font}", "DejaVu Sans", sans-serif`;
  caption.style.fontSize = `${Math.max(6, (Number($("font-size").value) || preset.size) * scale)}px`;
  caption.style.color = $("colour").value;
  caption.style.webkitTextStroke = `${preset.outline * scale * 2}px #000`;
  caption.style.textTransform = preset.uppercase ? "uppercase" : "none";
  const words = state.words.length ? state.words : [{ text: "Your captions here" }];
  const per = Math.max(1, Number($("max-words").value) || 4);
  const t = $("player").currentTime;
  const said = state.words.findLastIndex((word) => word.start <= t); // the last word begun
  const at = Math.max(0, said);
  const first = preset.effect === "pop" ? at : at - (at % per);
  const cue = words.slice(first, preset.effect === "pop" ? at + 1 : first + per);
  caption.replaceChildren(
    ...cue.map((word, i) => {
      const span = el("span", { textContent: `${i ? " " : ""}${word.text}` });
      const index = first + i;
      const lit = preset.effect === "fill" ? index <= said : index === state.now;
      if (lit && preset.effect !== "none") span.style.color = $("highlight").value;
      return span;
    }),
  );
}

// ------------------------------------------------------------------ history
async function loadHistory() {
  const { jobs } = await api(`/v1/jobs?limit=${HISTORY}`);
  $("job-list").replaceChildren(
    ...jobs.map((job) =>
      el(
        "li",
        { "data-job": job.id },
        el("div", { textContent: job.text || "(a recording, transcribed)" }),
        el("span", { class: "meta", textContent: `${new Date(job.created * 1000).toLocaleString()} · ${job.status} ` }),
        el("button", { type: "button", textContent: "Open", "aria-label": `Open job ${job.id}`, onclick: () => reopen(job.id) }),
      ),
    ),
  );
  if (!jobs.length) $("job-list").append(el("li", { class: "meta", textContent: "No narrations yet." }));
}

async function reopen(id) {
  await guarded(async () => {
    const job = await api(`/v1/jobs/${id}`);
    if (job.status === "succeeded") {
      showProgress(job);
      showResult(job);
    } else if (!state.job) {
      await watch(job);
    }
  });
}

// ------------------------------------------------------------------ start
async function start() {
  await guarded(async () => {
    await loadCapabilities();
    await loadVoices();
    await loadHistory();
  });
}

function wire() {
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem(KEY, $("api-key").value.trim());
    $("key-form").hidden = true;
    start();
  });
  $("voice-form").addEventListener("submit", addVoice);
  $("record").addEventListener("click", toggleRecording);
  $("speech-form").addEventListener("submit", narrate);
  $("recording-form").addEventListener("submit", (event) => {
    event.preventDefault();
    captionRecording("");
  });
  $("retime").addEventListener("click", () => captionRecording($("transcript").value.trim()));
  $("cancel").addEventListener("click", cancelJob);
  $("refresh").addEventListener("click", () => guarded(loadHistory));
  $("text").addEventListener("input", countCharacters);
  $("engine").addEventListener("change", fillVoices);
  $("caption-style").addEventListener("change", applyStyle);
  for (const id of ["position", "colour", "highlight", "font-size", "max-words", "aspect", "background"]) {
    $(id).addEventListener("input", renderCaption);
  }
  const player = $("player");
  player.addEventListener("timeupdate", highlight);
  player.addEventListener("seeked", highlight);
  player.addEventListener("play", playing);
  window.addEventListener("resize", renderCaption);
}

wire();
start();
