// Jobs: a narration or a recording to caption, followed live to its end, cancelled, and the
// history to reopen.
import { ApiError, api, follow, json } from "./api.js";
import { $, el, guarded, showError } from "./dom.js";
import { LOOK, countCharacters, speechBody } from "./form.js";
import { showResult } from "./player.js";
import { state } from "./state.js";

const HISTORY = 20;

export async function narrate(event) {
  event.preventDefault();
  await guarded(async () => {
    state.captioned = null;
    $("retime-box").hidden = true;
    const job = await api("/v1/speech", json(speechBody()));
    await watch(job);
  });
}

// Caption the user's own recording: transcribed when ``text`` is empty, else timed to it.
export async function captionRecording(text) {
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

export async function cancelJob() {
  if (!state.job) return;
  await guarded(async () => showProgress(await api(`/v1/jobs/${state.job.id}`, { method: "DELETE" })));
}

export async function loadHistory() {
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
