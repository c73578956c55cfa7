// The voice library: the list with each clip, adding (a file or a microphone recording) and
// deleting.
import { KEY, api } from "./api.js";
import { $, el, guarded, kilobytes } from "./dom.js";
import { fillVoices } from "./form.js";
import { state } from "./state.js";

export async function loadVoices() {
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

export async function addVoice(event) {
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

export async function toggleRecording() {
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
