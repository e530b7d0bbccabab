/* Narrate's "Listen to this article" player.
 *
 * Paste on a page:
 *   <div data-narrate-article="ID" style="min-height:130px"></div>
 *   <script src="https://HOST/embed.js" async></script>
 * or use the element directly: <narrate-player article="ID"></narrate-player>.
 * Attributes (data-narrate-NAME on the div): read-along="CSS selector", theme="light|dark",
 * lang="en|fr|ar", dir="rtl|ltr", api="https://HOST", stats="off", autoadvance.
 * Before the reader shows intent (hover, focus, press) the player makes one small status
 * request and fetches no audio; see the README for the events it dispatches.
 */
(() => {
  "use strict";
  const script =
    document.currentScript ||
    [...document.scripts].find((s) => /\/embed(\.[\w-]+)?\.js(\?|$)/.test(s.src));
  const ORIGIN = script ? new URL(script.src, location.href).origin : location.origin;
  // Every oEmbed snippet brings its own copy of this script: the first does the work (one
  // relay of the frames' events and heights), a later copy only upgrades new holders.
  const LOADED = Symbol.for(`narrate-embed ${ORIGIN}`);
  if (window[LOADED]) return window[LOADED]();
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const SKIP_S = 15;
  const POLL_MIN_MS = 1000;
  const POLL_MAX_MS = 10000;
  const CLICK_DELAY_MS = 300; // a second click within this is a double-click (a selection)
  const STATS_EVERY_MS = 15000;
  const SEGMENTS_EVERY_MS = 1000; // while playing as the audio is made, ask for more this often
  // A SourceBuffer holds only so much (Chromium refused more after ~1,060 s of 64 kb/s audio):
  // append at most AHEAD_S ahead of the playhead and drop what was played BEHIND_S before it.
  const AHEAD_S = 90;
  const BEHIND_S = 600;
  // Progressive playback: the paragraphs' MP3 segments appended to a MediaSource in order.
  const STREAMS = Boolean(window.MediaSource && MediaSource.isTypeSupported("audio/mpeg"));

  const STRINGS = {
    en: {
      region: "Audio player", listen: "Listen to this article", play: "Play", pause: "Pause",
      replay: "Replay", seek: "Seek", of: "{a} of {b}", prev: "Previous paragraph",
      next: "Next paragraph", back: "Back {n} seconds", forward: "Forward {n} seconds",
      speed: "Playback speed", download: "Download MP3", loading: "Loading…",
      queued: "Waiting to make the audio…", synthesising: "Making the audio…",
      finishing: "Finishing the audio…", ready: "Audio ready",
      unavailable: "Audio is not available for this article",
      follow: "Back to the paragraph", playFrom: "Press Enter to listen from this paragraph",
      transcript: "Transcript", nextArticle: "Next article",
      early: "Listen now while the rest is made", playingEarly: "Playing while the rest is made",
    },
    fr: {
      region: "Lecteur audio", listen: "Écouter cet article", play: "Lecture", pause: "Pause",
      replay: "Réécouter", seek: "Position", of: "{a} sur {b}", prev: "Paragraphe précédent",
      next: "Paragraphe suivant", back: "Reculer de {n} secondes",
      forward: "Avancer de {n} secondes", speed: "Vitesse de lecture",
      download: "Télécharger le MP3", loading: "Chargement…",
      queued: "En attente de la création de l’audio…", synthesising: "Création de l’audio…",
      finishing: "Finalisation de l’audio…", ready: "Audio prêt",
      unavailable: "L’audio n’est pas disponible pour cet article",
      follow: "Revenir au paragraphe", playFrom: "Appuyez sur Entrée pour écouter à partir de ce paragraphe",
      transcript: "Transcription", nextArticle: "Article suivant",
      early: "Écoutez dès maintenant pendant que la suite est créée",
      playingEarly: "Lecture pendant que la suite est créée",
    },
    ar: {
      region: "مشغل الصوت", listen: "استمع إلى هذا المقال", play: "تشغيل", pause: "إيقاف مؤقت",
      replay: "إعادة التشغيل", seek: "الموضع", of: "{a} من {b}", prev: "الفقرة السابقة",
      next: "الفقرة التالية", back: "رجوع {n} ثانية", forward: "تقديم {n} ثانية",
      speed: "سرعة التشغيل", download: "تنزيل MP3", loading: "جارٍ التحميل…",
      queued: "في انتظار إعداد الصوت…", synthesising: "جارٍ إعداد الصوت…",
      finishing: "جارٍ إنهاء الصوت…", ready: "الصوت جاهز",
      unavailable: "الصوت غير متاح لهذا المقال",
      follow: "العودة إلى الفقرة", playFrom: "اضغط Enter للاستماع من هذه الفقرة",
      transcript: "النص", nextArticle: "المقال التالي",
      early: "استمع الآن بينما يُعدّ الباقي", playingEarly: "التشغيل جارٍ بينما يُعدّ الباقي",
    },
  };
  const RTL_LANGS = new Set(["ar", "he", "fa", "ur"]);

  const clock = (seconds) => {
    const s = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
  };
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);
  const svg = (path) =>
    `<svg width="18" height="18" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="${path}" fill="currentColor"/></svg>`;
  const ICONS = {
    play: svg("M4 2.5v11l9-5.5z"),
    pause: svg("M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z"),
    replay: svg("M8 2.5a5.5 5.5 0 1 1-5.2 3.7l1.4.5A4 4 0 1 0 8 4v2L4.5 3.25 8 .5z"),
    prev: svg("M3 2h2v12H3zM14 2v12L6 8z"),
    next: svg("M11 2h2v12h-2zM2 2v12l8-6z"),
    back: svg("M8 1.5v2.1A5 5 0 1 1 3 8.6h1.5A3.5 3.5 0 1 0 8 5.1v2.4L4.5 4.5z"),
    forward: svg("M8 1.5v2.1A5 5 0 1 0 13 8.6h-1.5A3.5 3.5 0 1 1 8 5.1v2.4l3.5-3z"),
    transcript: svg("M2 3h12v1.5H2zM2 6.5h12V8H2zM2 10h8v1.5H2z"),
    download: svg("M7 1.5h2v7l2.5-2.5 1.4 1.4L8 12.3 3.1 7.4l1.4-1.4L7 8.5zM2 13h12v1.5H2z"),
  };

  const STYLE = `
    :host { all: initial; display: block; min-height: 130px;
            font: 15px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif;
            --bg: #f6f7f9; --fg: #1b1f24; --muted: #545d69; --accent: #0b57d0; --on-accent: #fff; --track: #c9ced6; }
    :host([theme="dark"]) { --bg: #1e2227; --fg: #eef1f4; --muted: #b0b8c2; --accent: #8ab4f8; --on-accent: #10151c; --track: #4a525d; }
    @media (prefers-color-scheme: dark) {
      :host(:not([theme="light"])) { --bg: #1e2227; --fg: #eef1f4; --muted: #b0b8c2; --accent: #8ab4f8; --on-accent: #10151c; --track: #4a525d; }
    }
    .bar { display: flex; flex-direction: column; gap: 6px; padding: 8px; min-height: 130px; box-sizing: border-box;
           container-type: inline-size;
           background: var(--bg); color: var(--fg); border-radius: 10px; width: 100%; }
    .top { display: flex; align-items: center; gap: 8px; height: 64px; }
    .main { flex: 1 1 auto; min-width: 0; }
    .heading { display: flex; justify-content: space-between; gap: 8px; font-weight: 600; height: 21px; }
    .title { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
    .duration, .times, .status { color: var(--muted); font-weight: 400; font-size: 13px; }
    .line { position: relative; height: 40px; }
    .times { display: flex; justify-content: space-between; font-variant-numeric: tabular-nums; }
    button, select, a.icon { font: inherit; color: var(--fg); background: transparent; border: 1px solid var(--track);
           border-radius: 8px; padding: 0 8px; cursor: pointer; text-decoration: none; min-width: 44px; min-height: 44px;
           box-sizing: border-box; display: inline-flex; align-items: center; justify-content: center; gap: 2px; flex: none; }
    button.play { width: 48px; height: 48px; border-radius: 50%; background: var(--accent); color: var(--on-accent); border: none; }
    button:disabled { opacity: .45; cursor: default; }
    .controls { display: flex; gap: 4px; align-items: center; height: 44px; }
    .controls .spacer { flex: 1; }
    :is(button, select, a, input, summary):focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    input[type=range] { width: 100%; accent-color: var(--accent); margin: 2px 0 0; height: 20px; }
    .progress { height: 4px; background: var(--track); border-radius: 2px; overflow: hidden; margin-top: 6px; }
    .progress > div { height: 100%; width: 0; background: var(--accent); transition: width .4s; }
    .num { font-size: 12px; font-variant-numeric: tabular-nums; }
    button.back, button.forward { padding: 0 2px; }
    select.speed { width: 64px; padding: 0 2px; font-size: 14px; }
    .bar[dir="rtl"] .mirror svg { transform: scaleX(-1); }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .dock { position: fixed; inset-inline: 8px; bottom: 8px; z-index: 2147483000; display: flex; gap: 8px; flex-wrap: wrap;
            align-items: center; justify-content: flex-end; pointer-events: none; }
    .dock > * { pointer-events: auto; }
    .mini { display: flex; align-items: center; gap: 8px; padding: 6px 10px 6px 6px; border-radius: 30px;
            background: var(--bg); color: var(--fg); box-shadow: 0 2px 10px rgba(0,0,0,.3); max-width: 100%; min-width: 0; }
    .mini .title { font-size: 14px; }
    .dock button.follow { background: var(--accent); color: var(--on-accent); border: none; border-radius: 22px;
            padding: 0 14px; box-shadow: 0 2px 10px rgba(0,0,0,.3); }
    .transcript { font-size: 14px; max-height: 14em; overflow: auto; margin: 0; padding-inline-start: 1.6em; }
    .transcript li[aria-current] { background: rgba(255,205,64,.35); }
    .next-article { font-size: 14px; color: var(--accent); min-height: 44px; display: inline-flex; align-items: center;
            min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
    /* Only what fits: under 300 px the transcript toggle, under 440 px the next article, go. */
    @container (max-width: 299px) { button.show-transcript { display: none; } }
    @container (max-width: 439px) { .next-article { display: none !important; } }
    [hidden] { display: none !important; }
    @media (max-height: 110px) { .controls, .transcript { display: none !important; } :host, .bar { min-height: 0; } }
  `;

  const template = (t, dir) => `
    <div class="bar" part="bar" role="region" aria-label="${t.region}: ${t.listen}" dir="${dir}">
      <div class="top">
        <button class="play" type="button" aria-label="${t.play}" disabled>${ICONS.play}</button>
        <div class="main">
          <div class="heading"><span class="title">${t.listen}</span><span class="duration" dir="ltr"></span></div>
          <div class="line">
            <div class="ready-only" hidden>
              <input class="seek" type="range" min="0" max="0" step="1" value="0" aria-label="${t.seek}">
              <div class="times"><span class="elapsed" dir="ltr">0:00</span><span class="remaining" dir="ltr">-0:00</span></div>
            </div>
            <div class="waiting">
              <div class="status">${t.loading}</div>
              <div class="progress" role="progressbar" aria-label="${t.synthesising}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0" hidden><div></div></div>
            </div>
          </div>
        </div>
        <a class="icon download" aria-label="${t.download}" title="${t.download}" download hidden>${ICONS.download}</a>
      </div>
      <div class="controls">
        <button class="prev mirror" type="button" aria-label="${t.prev}" title="${t.prev}" disabled>${ICONS.prev}</button>
        <button class="back mirror" type="button" aria-label="${fill(t.back, { n: SKIP_S })}" disabled>${ICONS.back}<span class="num" aria-hidden="true">${SKIP_S}</span></button>
        <button class="forward mirror" type="button" aria-label="${fill(t.forward, { n: SKIP_S })}" disabled><span class="num" aria-hidden="true">${SKIP_S}</span>${ICONS.forward}</button>
        <button class="next mirror" type="button" aria-label="${t.next}" title="${t.next}" disabled>${ICONS.next}</button>
        <select class="speed" aria-label="${t.speed}" dir="ltr" disabled>
          ${SPEEDS.map((s) => `<option value="${s}"${s === 1 ? " selected" : ""}>${s}×</option>`).join("")}
        </select>
        <button class="show-transcript" type="button" aria-expanded="false" aria-label="${t.transcript}" title="${t.transcript}" disabled>${ICONS.transcript}</button>
        <span class="spacer"></span>
        <a class="next-article" hidden>${t.nextArticle}</a>
      </div>
      <ol class="transcript" aria-label="${t.transcript}" hidden></ol>
      <div class="sr live" role="status" aria-live="polite"></div>
      <audio preload="none" crossorigin="anonymous"></audio>
    </div>
    <div class="dock" hidden>
      <div class="mini" hidden>
        <button class="mini-play" type="button" aria-label="${t.pause}">${ICONS.pause}</button>
        <span class="title"></span>
      </div>
      <button class="follow" type="button" hidden>${t.follow}</button>
    </div>`;

  let hostStyleAdded = false;
  const addHostStyle = () => {
    if (hostStyleAdded) return;
    hostStyleAdded = true;
    const style = document.createElement("style");
    style.textContent =
      "[data-narrate-active]{background:rgba(255,205,64,.35);border-radius:4px;transition:background .2s}" +
      "[data-narrate-index]{cursor:pointer}" +
      "[data-narrate-index]:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}";
    document.head.appendChild(style);
  };

  const players = new Set();
  /* One voice at a time: a player that starts pauses the others in its document and, by a
   * message, in every other frame of the page (oEmbed iframes, the host page's players). */
  const quiet = (except) => { for (const other of players) if (other !== except) other.audio.pause(); };
  const quietElsewhere = () => {
    const frames = [window.top]; // a frame's frames are reachable across origins; their documents are not
    for (const w of frames) for (let i = 0; i < w.length; i++) frames.push(w[i]);
    for (const w of frames) if (w !== window) w.postMessage({ narrate: "pause" }, "*");
  };
  const owner = new WeakMap(); // page paragraph -> the player that reads it
  const inView = (element) => {
    const box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < innerHeight;
  };
  const INTERACTIVE = "a, button, input, select, textarea, summary, label, [contenteditable], [tabindex]:not([data-narrate-index])";

  class NarratePlayer extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const lang = this.language();
      this.t = STRINGS[lang];
      const dir = this.getAttribute("dir") || (RTL_LANGS.has(lang) ? "rtl" : getComputedStyle(this).direction || "ltr");
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = `<style>${STYLE}</style>${template(this.t, dir)}`;
      this.$ = (selector) => root.querySelector(selector);
      this.audio = this.$("audio");
      this.timings = [];
      this.saved = this.load();
      this.pollDelay = POLL_MIN_MS;
      players.add(this);
      for (const type of ["pointerenter", "pointerdown", "focusin", "touchstart"]) {
        this.addEventListener(type, () => this.prepare(), { passive: true });
      }
      this.reportHeight();
      this.poll();
    }

    disconnectedCallback() {
      clearTimeout(this.pollTimer);
      clearTimeout(this.feedTimer);
      players.delete(this);
    }

    language() {
      const attr = this.getAttribute("lang") || this.closest("[lang]")?.getAttribute("lang") || "en";
      const primary = attr.toLowerCase().split("-")[0];
      return STRINGS[primary] ? primary : "en";
    }

    get articleId() {
      return this.getAttribute("article") || "";
    }

    url(suffix = "") {
      const base = this.getAttribute("api") || ORIGIN;
      return this.granted(`${base}/api/v1/articles/${encodeURIComponent(this.articleId)}${suffix}`);
    }

    /* A private article's player carries its signed grant on every read it makes. */
    granted(url) {
      const signed = this.getAttribute("signed");
      if (!signed) return url;
      const has = new URL(url, location.href).searchParams;
      if ([...new URLSearchParams(signed).keys()].every((k) => has.has(k))) return url;
      return `${url}${url.includes("?") ? "&" : "?"}${signed}`;
    }

    emit(type, detail = {}) {
      const full = { article: this.articleId, ...detail };
      this.dispatchEvent(new CustomEvent(`narrate-${type}`, { detail: full, bubbles: true, composed: true }));
      if (window.parent !== window) window.parent.postMessage({ narrate: "event", type, detail: full }, "*");
    }

    reportHeight() {
      if (window.parent === window || !window.ResizeObserver) return;
      new ResizeObserver(() => {
        const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
        window.parent.postMessage({ narrate: "height", article: this.articleId, height }, "*");
      }).observe(document.documentElement);
    }

    announce(text) {
      const live = this.$(".live");
      if (live.textContent !== text) live.textContent = text;
    }

    setState(state, stage) {
      this.setAttribute("state", state);
      this.emit("status", { status: state, stage });
    }

    unavailable() {
      this.$(".progress").hidden = true;
      this.$(".status").textContent = this.t.unavailable;
      this.announce(this.t.unavailable);
      this.setState("unavailable", "failed");
    }

    async poll() {
      let response;
      let article;
      try {
        // no-cache: the browser revalidates with the ETag, and a 304 costs no body
        response = await fetch(this.url("/status"), { cache: "no-cache" });
        if (response.status === 404) return this.unavailable();
        if (!response.ok) throw new Error(String(response.status));
        article = await response.json();
      } catch {
        this.pollDelay = Math.min(this.pollDelay * 2, POLL_MAX_MS * 3);
        this.pollTimer = setTimeout(() => this.poll(), this.pollDelay);
        return;
      }
      this.article = article;
      if (article.stage !== this.stage) {
        this.stage = article.stage;
        this.setState(article.stage === "done" ? "ready" : article.stage === "failed" ? "unavailable" : "making", article.stage);
      }
      if (article.stage === "done") return this.ready(article);
      if (article.stage === "failed") return this.unavailable();
      if (this.canStream(article)) this.streamable();
      const percent = article.progress ? article.progress.percent : 0;
      this.announce(this.making()); // the stage, not every percent
      const bar = this.$(".progress");
      bar.hidden = false;
      bar.setAttribute("aria-valuenow", String(percent));
      this.$(".progress > div").style.width = `${percent}%`;
      const key = `${article.stage}:${percent}`;
      this.pollDelay = key === this.lastKey ? Math.min(this.pollDelay * 1.5, POLL_MAX_MS) : POLL_MIN_MS;
      this.lastKey = key;
      this.pollTimer = setTimeout(() => this.poll(), this.pollDelay);
    }

    /* What the waiting line says (and shows the percentage) while the audio is made. */
    making() {
      const { stage, progress } = this.article;
      const words = this.early
        ? this.t[this.streaming ? "playingEarly" : "early"]
        : this.t[stage] || this.t.synthesising;
      this.$(".status").textContent = stage === "synthesising" ? `${words} ${progress ? progress.percent : 0}%` : words;
      return words;
    }

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

    enable() {
      for (const el of this.shadowRoot.querySelectorAll("button, select")) el.disabled = false;
      if (SPEEDS.includes(this.saved.rate)) this.$(".speed").value = String(this.saved.rate);
      this.wire();
      this.readAlong();
      this.playState();
    }

    timeline(duration) {
      this.duration = duration;
      this.$(".waiting").hidden = true;
      this.$(".duration").textContent = clock(duration);
      for (const el of this.shadowRoot.querySelectorAll(".ready-only")) el.hidden = false;
      this.show(this.audio.src ? this.audio.currentTime : this.saved.ended ? 0 : this.saved.t || 0, duration);
    }

    ready(article) {
      this.timeline((article.duration_ms || 0) / 1000);
      this.$(".title").textContent = this.t.listen;
      const download = this.$(".download");
      download.href = this.url("/audio.mp3?download=1");
      download.hidden = false;
      this.enable();
      if (this.streaming) this.captions(); // they exist now; the stream plays on to its end
      if (this.$(".live").textContent) this.announce(this.t.ready);
      this.emit("ready", { duration_ms: article.duration_ms });
      if (location.hash === "#narrate-play" && this.hasAttribute("autoadvance")) {
        // arrived by auto-advance: carry on (the browser may refuse without a press)
        this.prepare().then(() => this.audio.play()).catch(() => {});
      }
    }

    /* The reader shows intent: now, and only now, the audio and the timings are fetched.
     * While the audio is still being made, only a press of play (`play`) starts the stream. */
    prepare(play = false) {
      if (this.preparing) return this.preparing;
      if (this.stage !== "done") {
        if (this.early && play) this.preparing = this.stream();
        return this.preparing;
      }
      const audio = this.audio;
      const start = this.saved.ended ? 0 : this.saved.t || 0;
      audio.preload = "metadata";
      audio.src = this.url("/audio.mp3") + (start > 0 ? `#t=${start}` : "");
      this.restoreRate();
      this.captions();
      this.nextArticle();
      this.preparing = fetch(this.url("/timings.json"))
        .then((r) => (r.ok ? r.json() : { paragraphs: [] }))
        .then((body) => { this.timings = body.paragraphs || []; })
        .catch(() => { this.timings = []; })
        .then(() => this.update());
      return this.preparing;
    }

    restoreRate() {
      if (!SPEEDS.includes(this.saved.rate)) return;
      this.audio.playbackRate = this.saved.rate;
      this.audio.defaultPlaybackRate = this.saved.rate;
    }

    captions() {
      const track = document.createElement("track");
      Object.assign(track, { kind: "captions", src: this.url("/captions.vtt"), srclang: this.language(), label: this.t.transcript });
      this.audio.appendChild(track);
      track.track.mode = "hidden";
      track.addEventListener("load", () => this.transcript(track.track));
      track.track.addEventListener("cuechange", () => this.markCue(track.track));
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

    key() {
      return `narrate:${this.articleId}`;
    }

    load() {
      try {
        return JSON.parse(localStorage.getItem(this.key()) || "{}") || {};
      } catch {
        return {};
      }
    }

    save() {
      const audio = this.audio;
      if (!audio.src) return;
      this.saved = { t: audio.currentTime, rate: audio.playbackRate, ended: audio.ended || undefined };
      try {
        localStorage.setItem(this.key(), JSON.stringify(this.saved));
      } catch {
        /* storage may be disabled; the player works without it */
      }
    }

    wire() {
      if (this.wired) return;
      this.wired = true;
      const audio = this.audio;
      const seek = this.$(".seek");
      const toggle = async () => {
        await this.prepare(true);
        if (audio.paused) {
          if (audio.ended || this.saved.ended) { audio.currentTime = 0; this.saved.ended = false; }
          audio.play();
        } else audio.pause();
      };
      this.$(".play").addEventListener("click", toggle);
      this.$(".mini-play").addEventListener("click", toggle);
      audio.addEventListener("play", () => {
        quiet(this);
        quietElsewhere();
        this.playState();
        this.mediaSession();
        this.emit("play", { time: audio.currentTime });
        this.listened = { since: performance.now() };
        this.dock();
      });
      audio.addEventListener("pause", () => {
        this.playState();
        this.save();
        if (!audio.ended) this.emit("pause", { time: audio.currentTime });
        this.beacon();
        this.dock();
      });
      audio.addEventListener("ended", () => {
        this.save();
        this.playState();
        this.emit("ended", { time: audio.currentTime });
        this.quartile(100);
        this.beacon();
        if (this.hasAttribute("autoadvance") && this.next) (window.top || window).location.href = `${this.next.href}#narrate-play`;
      });
      audio.addEventListener("loadedmetadata", () => this.update());
      audio.addEventListener("timeupdate", () => this.update());
      audio.addEventListener("ratechange", () => this.save());
      audio.addEventListener("seeking", () => {
        this.emit("seek", { from: this.lastTime || 0, to: audio.currentTime });
        this.lastTime = audio.currentTime;
      });
      seek.addEventListener("input", async () => {
        const to = Number(seek.value);
        await this.prepare();
        this.jump(to);
      });
      const on = (selector, action) => this.$(selector).addEventListener("click", async () => { await this.prepare(); action(); });
      on(".back", () => this.jump(this.time() - SKIP_S));
      on(".forward", () => this.jump(this.time() + SKIP_S));
      on(".prev", () => this.paragraph(-1));
      on(".next", () => this.paragraph(+1));
      this.$(".speed").addEventListener("change", (event) => {
        const rate = Number(event.target.value);
        audio.defaultPlaybackRate = rate;
        audio.playbackRate = rate;
        this.saved.rate = rate;
        this.prepare();
      });
      const toggleTranscript = this.$(".show-transcript");
      toggleTranscript.addEventListener("click", () => {
        this.prepare();
        const open = toggleTranscript.getAttribute("aria-expanded") !== "true";
        toggleTranscript.setAttribute("aria-expanded", String(open));
        this.$(".transcript").hidden = !open;
      });
      this.$(".follow").addEventListener("click", () => {
        this.following = true;
        this.scrollToActive(true);
        this.dock();
      });
      this.shadowRoot.addEventListener("keydown", (event) => {
        const onControl = ["BUTTON", "SELECT", "A", "SUMMARY"].includes(event.target.tagName);
        if (event.key === "k" || (event.key === " " && !onControl)) {
          event.preventDefault();
          toggle();
        }
      });
      this.following = true;
      const userScrolled = () => { this.userScrollAt = performance.now(); };
      for (const type of ["wheel", "touchmove"]) addEventListener(type, userScrolled, { passive: true });
      addEventListener("keydown", (e) => { if (/^(Page|Arrow(Up|Down)|Home|End| )/.test(e.key)) userScrolled(); });
      addEventListener("scroll", () => this.scrolled(), { passive: true });
      if (window.IntersectionObserver) {
        new IntersectionObserver(([entry]) => { this.visible = entry.isIntersecting; this.dock(); }).observe(this);
      }
    }

    time() {
      return this.audio.src ? this.audio.currentTime : this.saved.t || 0;
    }

    playState() {
      const audio = this.audio;
      const play = this.$(".play");
      const ended = audio.src ? audio.ended : this.saved.ended;
      const [icon, label] = !audio.paused ? ["pause", "pause"] : ended ? ["replay", "replay"] : ["play", "play"];
      play.innerHTML = ICONS[icon];
      play.setAttribute("aria-label", this.t[label]);
      const mini = this.$(".mini-play");
      mini.innerHTML = ICONS[audio.paused ? "play" : "pause"];
      mini.setAttribute("aria-label", this.t[audio.paused ? "play" : "pause"]);
    }

    jump(seconds) {
      const audio = this.audio;
      const end = Number.isFinite(audio.duration) ? audio.duration : this.duration || seconds;
      const kept = this.streaming && this.streaming.buffer && this.streaming.buffer.buffered;
      if (kept && kept.length) seconds = Math.max(seconds, kept.start(0)); // older audio was dropped
      audio.currentTime = Math.min(Math.max(0, seconds), end);
      this.update();
    }

    current() {
      const ms = this.time() * 1000;
      let index = -1;
      for (const [i, p] of this.timings.entries()) if (p.start_ms <= ms + 1) index = i;
      return index;
    }

    paragraph(step) {
      const index = this.current() + step;
      // past the last paragraph there is nowhere to go: stay, never jump back to its start
      if (index >= this.timings.length || index < 0) return step < 0 && this.timings[0] && this.jump(0);
      this.jump(this.timings[index].start_ms / 1000);
    }

    async playFrom(index) {
      await this.prepare(true);
      const timing = this.timings[index];
      if (!timing) return;
      this.following = true;
      this.jump(timing.start_ms / 1000);
      this.audio.play();
    }

    /* Page paragraphs this player reads: its own only, so two players never share one. */
    paragraphsOnPage() {
      const selector = this.getAttribute("read-along");
      if (selector) return { selector, elements: [...document.querySelectorAll(selector)] };
      const mine = (el) => {
        const target = el.closest("[data-narrate-for]")?.getAttribute("data-narrate-for");
        if (target) return target === this.articleId;
        const scope = this.closest("article, [data-narrate-scope]");
        return scope ? scope.contains(el) : players.size === 1;
      };
      const elements = [...document.querySelectorAll("[data-narrate-paragraph]")]
        .filter(mine)
        .sort((a, b) => a.dataset.narrateParagraph - b.dataset.narrateParagraph);
      return { selector: null, elements };
    }

    /* Marks the page's paragraphs once the audio can play; a page that adds them later
     * (Narrate's article page, opened while the text was cleaned) calls it again. */
    readAlong() {
      if (this.marked || !this.wired) return;
      const { selector, elements } = this.paragraphsOnPage();
      const total = this.article.progress ? this.article.progress.total : 0;
      if (!elements.length || !total) return;
      // A page usually shows the headline apart from its paragraphs; timings start with it.
      const offset = selector ? Math.max(0, total - elements.length) : 0;
      addHostStyle();
      // The paragraphs' description, in the page's tree (aria-describedby cannot reach a
      // shadow root); a child of the player element is never rendered, only referenced.
      const hint = document.createElement("span");
      hint.id = `narrate-hint-${Math.random().toString(36).slice(2)}`;
      hint.hidden = true;
      hint.textContent = this.t.playFrom;
      this.appendChild(hint);
      this.marked = new Map();
      elements.forEach((element, i) => {
        const index = selector ? i + offset : Number(element.dataset.narrateParagraph);
        if (index >= total || owner.has(element)) return;
        owner.set(element, this);
        element.dataset.narrateIndex = String(index);
        element.tabIndex = 0;
        element.setAttribute("aria-describedby", hint.id);
        this.marked.set(index, element);
        let timer;
        element.addEventListener("click", (event) => {
          clearTimeout(timer);
          if (event.detail > 1 || event.target.closest(INTERACTIVE)) return;
          const selection = getSelection();
          if (selection && !selection.isCollapsed) return;
          timer = setTimeout(() => {
            const later = getSelection();
            if (!later || later.isCollapsed) this.playFrom(index);
          }, CLICK_DELAY_MS);
        });
        element.addEventListener("dblclick", () => clearTimeout(timer));
        element.addEventListener("keydown", (event) => {
          if (event.target !== element || !["Enter", " "].includes(event.key)) return;
          event.preventDefault();
          this.playFrom(index);
        });
      });
    }

    scrollToActive(force) {
      const element = this.marked && this.marked.get(this.active);
      if (!element || (!force && inView(element))) return;
      this.autoScrollUntil = performance.now() + 1500;
      element.scrollIntoView({ behavior: "smooth", block: "center" });
    }

    scrolled() {
      const element = this.marked && this.marked.get(this.active);
      if (!element || this.audio.paused) return;
      const byReader = performance.now() - (this.userScrollAt || -1e9) < 1000;
      if (!byReader && performance.now() < (this.autoScrollUntil || 0)) return;
      const following = inView(element);
      if (following !== this.following) {
        this.following = following;
        this.dock();
      }
    }

    dock() {
      const playing = !this.audio.paused;
      const mini = playing && this.visible === false;
      const follow = playing && !this.following && Boolean(this.marked && this.marked.get(this.active));
      this.$(".mini").hidden = !mini;
      this.$(".mini .title").textContent = (this.article && this.article.title) || this.t.listen;
      this.$(".follow").hidden = !follow;
      this.$(".dock").hidden = !(mini || follow);
    }

    highlight(index) {
      if (!this.marked || index === this.active) return;
      const before = this.marked.get(this.active);
      if (before) before.removeAttribute("data-narrate-active");
      this.active = index;
      const element = this.marked.get(index);
      if (!element) return this.dock();
      element.setAttribute("data-narrate-active", "");
      if (!this.audio.paused && this.following) this.scrollToActive(false);
      this.dock();
    }

    show(time, duration) {
      const seek = this.$(".seek");
      seek.max = String(Math.floor(duration));
      seek.value = String(Math.floor(time));
      seek.setAttribute("aria-valuetext", fill(this.t.of, { a: clock(time), b: clock(duration) }));
      this.$(".elapsed").textContent = clock(time);
      this.$(".remaining").textContent = `-${clock(duration - time)}`;
    }

    update() {
      const audio = this.audio;
      const duration = Number.isFinite(audio.duration) ? audio.duration : this.duration || 0;
      const time = this.time();
      if (!audio.seeking) this.lastTime = time;
      this.show(time, duration);
      this.highlight(this.current());
      const last = this.timings.length - 1;
      this.$(".next").disabled = this.timings.length > 0 && this.current() >= last;
      const growing = this.streaming && !this.streaming.complete; // its duration is not the article's
      if (duration && !audio.paused && !growing) {
        for (const q of [25, 50, 75]) if (time >= (duration * q) / 100) this.quartile(q);
      }
      if ("mediaSession" in navigator && navigator.mediaSession.setPositionState && duration && this.owning) {
        try {
          navigator.mediaSession.setPositionState({ duration, position: Math.min(time, duration), playbackRate: audio.playbackRate });
        } catch { /* a position the browser refuses is not worth a failure */ }
      }
      const now = Date.now();
      if (!this.savedAt || now - this.savedAt > 1000) {
        this.savedAt = now;
        this.save();
      }
      if (this.listened && now - (this.beaconAt || now) > STATS_EVERY_MS) this.beacon();
      this.beaconAt = this.beaconAt || now;
    }

    quartile(q) {
      this.reached = this.reached || new Set();
      if (this.reached.has(q)) return;
      this.reached.add(q);
      if (q < 100) this.emit("progress", { quartile: q });
      this.pendingQuartiles = [...(this.pendingQuartiles || []), q];
    }

    /* Listening statistics: no cookies, no identifiers; stats="off" turns it off. */
    beacon() {
      if (this.getAttribute("stats") === "off") return;
      const now = performance.now();
      const seconds = this.listened ? (now - this.listened.since) / 1000 : 0;
      this.listened = this.audio.paused ? null : { since: now };
      this.beaconAt = Date.now();
      const body = { play: !this.countedPlay, seconds: Math.round(seconds), quartiles: this.pendingQuartiles || [] };
      if (!body.play && !body.seconds && !body.quartiles.length) return;
      this.countedPlay = true;
      this.pendingQuartiles = [];
      // keepalive: it goes even as the page closes; text/plain: no preflight; no credentials
      fetch(this.url("/listens"), {
        method: "POST", body: JSON.stringify(body), keepalive: true, credentials: "omit",
        mode: "no-cors", headers: { "Content-Type": "text/plain" },
      }).catch(() => {});
    }

    mediaSession() {
      if (!("mediaSession" in navigator) || !window.MediaMetadata) return;
      for (const other of players) other.owning = other === this;
      const art = this.getAttribute("artwork");
      navigator.mediaSession.metadata = new MediaMetadata({
        title: (this.article && this.article.title) || this.t.listen,
        artist: (this.article && this.article.byline) || "Narrate",
        album: document.title,
        artwork: art ? [{ src: new URL(art, location.href).href }] : [],
      });
      const audio = this.audio;
      const actions = {
        play: () => audio.play(),
        pause: () => audio.pause(),
        seekbackward: (d) => this.jump(audio.currentTime - ((d && d.seekOffset) || SKIP_S)),
        seekforward: (d) => this.jump(audio.currentTime + ((d && d.seekOffset) || SKIP_S)),
        seekto: (d) => this.jump(d.seekTime),
        previoustrack: () => this.paragraph(-1),
        nexttrack: () => this.paragraph(+1),
      };
      for (const [action, handler] of Object.entries(actions)) {
        try { navigator.mediaSession.setActionHandler(action, handler); } catch { /* unsupported action */ }
      }
    }

    transcript(track) {
      const list = this.$(".transcript");
      list.replaceChildren(...[...track.cues].map((cue) => {
        const item = document.createElement("li");
        item.textContent = cue.text;
        item.dataset.start = String(cue.startTime);
        return item;
      }));
    }

    markCue(track) {
      const active = track.activeCues && track.activeCues[0];
      for (const item of this.$(".transcript").children) {
        if (active && Number(item.dataset.start) === active.startTime) item.setAttribute("aria-current", "true");
        else item.removeAttribute("aria-current");
      }
    }

    async nextArticle() {
      const link = this.$(".next-article");
      if (!this.hasAttribute("playlist") && !this.hasAttribute("autoadvance")) return;
      try {
        const response = await fetch(this.url("/next"));
        if (!response.ok) return;
        const next = await response.json();
        link.href = next.links.page;
        if (window.parent !== window) link.target = "_top";
        link.textContent = `${this.t.nextArticle}: ${next.title}`;
        link.hidden = false;
        this.next = link;
      } catch { /* no next article: nothing to show */ }
    }
  }

  if (!customElements.get("narrate-player")) customElements.define("narrate-player", NarratePlayer);

  // A page that embeds /player/ID iframes (the oEmbed snippet): size them to what they
  // report and pass their events on, as if the player were on the page itself.
  addEventListener("message", (event) => {
    if (!event.data || !event.data.narrate) return;
    if (event.data.narrate === "pause") return quiet(null); // from any frame: a pause harms no one
    if (event.origin !== ORIGIN) return;
    const frame = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source);
    if (!frame) return;
    if (event.data.narrate === "height") frame.style.height = `${event.data.height}px`;
    else if (event.data.narrate === "event") {
      frame.dispatchEvent(new CustomEvent(`narrate-${event.data.type}`, { detail: event.data.detail, bubbles: true }));
    }
  });

  const upgrade = () => {
    for (const holder of document.querySelectorAll("[data-narrate-article]")) {
      if (holder.querySelector("narrate-player")) continue;
      const player = document.createElement("narrate-player");
      player.setAttribute("article", holder.dataset.narrateArticle);
      for (const name of ["read-along", "theme", "api", "lang", "dir", "stats", "playlist", "autoadvance", "artwork"]) {
        const value = holder.getAttribute(`data-narrate-${name}`);
        if (value !== null) player.setAttribute(name, value);
      }
      holder.appendChild(player);
    }
  };
  window[LOADED] = upgrade;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", upgrade);
  else upgrade();
})();
