// The preview: the narration's player, its words lighting up as they are said, the caption
// sketch in the chosen look, and the files to download.
import { $, el, kilobytes } from "./dom.js";
import { UNSURE, state } from "./state.js";

// What each file is, as the download list names it.
const FILES = {
  srt: "SRT captions",
  vtt: "WebVTT captions",
  ass: "ASS captions",
  csv: "CSV word timings",
  json: "JSON word timings",
  txt: "transcript",
};

export function showResult(job) {
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
      const who = word.speaker === undefined ? "" : `${word.speaker} · `;
      const button = el("button", {
        type: "button",
        class: "word",
        textContent: word.text,
        title: `${who}${word.start.toFixed(2)}–${word.end.toFixed(2)} s${sure}`,
        "data-index": i,
        "data-speaker": word.speaker ?? "",
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
    ...Object.entries(result.captions).map(([name, file]) => [FILES[name] || `${name} file`, file]),
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
export function highlight() {
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

export function playing() {
  highlight();
  if (!$("player").paused) requestAnimationFrame(playing);
}

// A 9:16 (or the chosen aspect) sketch of the caption preset over the background: the cue
// holding the current word, with that word (or every word so far, for karaoke) highlighted.
export function renderCaption() {
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
