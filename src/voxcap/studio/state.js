// What the page holds between actions, shared by its modules.

export const UNSURE = 0.5; // words verified below this confidence are marked
export const state = {
  caps: null,
  voices: [],
  job: null, // the job being followed or shown
  words: [],
  now: -1, // index of the highlighted word
  recording: null, // the microphone recording (a Blob) when there is one
  recorder: null,
  captioned: null, // the user's recording being captioned: { file, url } (an object URL)
};
