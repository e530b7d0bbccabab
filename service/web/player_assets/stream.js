/* Progressive playback: the paragraphs' MP3 segments appended to a MediaSource in order. */
const SEGMENTS_EVERY_MS = 1000; // while playing as the audio is made, ask for more this often
// A SourceBuffer holds only so much (Chromium refused more after ~1,060 s of 64 kb/s audio):
// append at most AHEAD_S ahead of the playhead and drop what was played BEHIND_S before it.
const AHEAD_S = 90;
const BEHIND_S = 600;
const STREAMS = Boolean(window.MediaSource && MediaSource.isTypeSupported("audio/mpeg"));

const Streaming = (Base) => class extends Base {
  /* Progressive playback only while no revision of the article has finished audio: the
   * reader of an article being edited hears the whole previous revision, as before. */
  canStream(article) {
    const progress = article.progress || {};
    return STREAMS && ["synthesising", "finishing"].includes(article.stage) &&
      progress.playable > 0 && article.audio_revision == null;
  }

  /* The first paragraphs are made: the reader may press play now (nothing is fetched yet). */
  streamable() {
    if (this.early) return;
    this.early = true;
    this.enable();
    this.$(".show-transcript").disabled = true; // the captions come with the finished MP3
  }

  /* Play while the audio is made: the ready segments, in order, into one MediaSource
   * ("sequence" mode: each follows the last, so the timeline is the final MP3's), more
   * asked for every second, the stream ended once the list is complete. When the job
   * finishes during this, the stream simply plays on to its end: it is the same audio,
   * byte for byte, and a swap to the MP3 could only add a gap. */
  async stream() {
    const audio = this.audio;
    const source = new MediaSource();
    this.streaming = { source, appended: 0, revision: null, complete: false };
    audio.preload = "auto";
    audio.src = URL.createObjectURL(source);
    this.restoreRate();
    this.nextArticle();
    await new Promise((resolve) => source.addEventListener("sourceopen", resolve, { once: true }));
    URL.revokeObjectURL(audio.src);
    this.streaming.buffer = source.addSourceBuffer("audio/mpeg");
    this.streaming.buffer.mode = "sequence";
    this.setAttribute("streaming", "");
    this.announce(this.making());
    try {
      await this.feed(1); // play can start on the first; the rest follow at once
    } catch { /* the next round tries again */ }
    this.feedTimer = setTimeout(() => this.feedLoop(), 0);
    this.update();
  }

  async feedLoop() {
    const streaming = this.streaming;
    if (!streaming || streaming.complete || !this.isConnected) return;
    if ((!this.audio.paused || !streaming.appended) && this.ahead() <= AHEAD_S) {
      try {
        await this.feed();
      } catch { /* a failed fetch or append: try again next round */ }
    }
    if (!streaming.complete) this.feedTimer = setTimeout(() => this.feedLoop(), SEGMENTS_EVERY_MS);
  }

  /* One round: the segment list, then each new segment (up to `most`) fetched and appended in turn. */
  async feed(most = Infinity) {
    const streaming = this.streaming;
    const response = await fetch(this.url("/segments.json"), { cache: "no-cache" });
    if (!response.ok) throw new Error(String(response.status));
    const list = await response.json();
    streaming.revision = streaming.revision ?? list.revision;
    // A newer revision is another text: its segments do not follow these. End here.
    if (list.revision !== streaming.revision) return this.endStream();
    this.timings = list.segments;
    // the paragraphs made so far, found on the page by their text
    this.readAlong();
    // The timeline is all the audio made so far (a seek there waits for it), not only what is appended.
    const listed = list.duration_ms / 1000;
    if (!(streaming.source.duration >= listed) && !streaming.buffer.updating) streaming.source.duration = listed;
    for (const segment of list.segments.slice(streaming.appended, streaming.appended + most)) {
      if (this.ahead() > AHEAD_S) break;
      const body = await fetch(this.granted(segment.url));
      if (!body.ok) throw new Error(String(body.status));
      const bytes = await body.arrayBuffer();
      const kept = streaming.buffer.buffered;
      // behind the playhead, never past what is appended (a seek ahead waits for it there)
      const played = kept.length && Math.min(this.audio.currentTime, kept.end(kept.length - 1)) - BEHIND_S;
      if (kept.length && kept.start(0) < played) {
        await this.buffering((buffer) => buffer.remove(0, played));
      }
      await this.buffering((buffer) => buffer.appendBuffer(bytes));
      streaming.appended += 1;
    }
    this.update();
    if (list.complete && streaming.appended === list.segments.length) this.endStream();
  }

  /* One change to the SourceBuffer, done when it says so. */
  buffering(change) {
    const buffer = this.streaming.buffer;
    return new Promise((resolve, reject) => {
      buffer.addEventListener("updateend", resolve, { once: true });
      buffer.addEventListener("error", reject, { once: true });
      change(buffer);
    });
  }

  /* Seconds of the stream appended ahead of the playhead. */
  ahead() {
    const buffered = this.streaming && this.streaming.buffer && this.streaming.buffer.buffered;
    return buffered && buffered.length ? buffered.end(buffered.length - 1) - this.audio.currentTime : 0;
  }

  endStream() {
    const streaming = this.streaming;
    streaming.complete = true;
    if (streaming.source.readyState === "open") streaming.source.endOfStream();
    this.timeline(this.audio.duration || 0);
    this.update();
  }
};
