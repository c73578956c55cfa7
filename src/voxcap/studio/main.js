// voxcap studio: voices, a script, a narration job with live progress, a preview whose words
// light up with the audio, and the files to download, over the public HTTP API. ES modules by
// concern, no build step: api, dom, state, form, voices, jobs, player; this one wires them.
import { ApiError, KEY } from "./api.js";
import { $, guarded } from "./dom.js";
import { applyStyle, countCharacters, fillVoices, loadCapabilities } from "./form.js";
import { cancelJob, captionRecording, loadHistory, narrate } from "./jobs.js";
import { highlight, playing, renderCaption } from "./player.js";
import { addVoice, loadVoices, toggleRecording } from "./voices.js";

// A server with API keys asks for one before anything else: the key form, not a red error
// the user did nothing to cause.
async function start() {
  await guarded(async () => {
    try {
      await loadCapabilities();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || localStorage.getItem(KEY)) throw error;
      $("key-form").hidden = false;
      $("api-key").focus();
      return;
    }
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
