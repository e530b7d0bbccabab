/* The <narrate-player> element: the status it polls, the states it shows, the audio it
 * loads once the reader shows intent and the position it remembers. The other concerns
 * are mixins (stream.js, controls.js, read_along.js, stats.js, host.js), applied in host.js. */
class Player extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const lang = this.language();
    this.t = STRINGS[lang];
    const dir = this.getAttribute("dir") || (RTL_LANGS.has(lang) ? "rtl" : getComputedStyle(this).direction || "ltr");
    const root = this.attachShadow({ mode: "open" });
    root.innerHTML = template(this.t, dir);
    adopt(root, STYLE);
    this.$ = (selector) => root.querySelector(selector);
    this.audio = this.$("audio");
    this.timings = [];
    this.saved = this.load();
    this.pollDelay = POLL_MIN_MS;
    players.add(this);
    this.toggleAttribute("framed", window.parent !== window);
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
    this.unmark();
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
    this.brand(article.brand);
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

  /* The collection's brand (the status's `brand`: {colours: {accent, background, text}, label,
   * logo}) over the defaults, set through the CSSOM (a strict CSP allows it); once. */
  brand(brand) {
    if (!brand || this.branded) return;
    this.branded = true;
    const colours = brand.colours || {};
    for (const [name, property] of [["accent", "--accent"], ["background", "--bg"], ["text", "--fg"]]) {
      if (colours[name] && CSS.supports("color", colours[name])) this.style.setProperty(property, colours[name]);
    }
    const hex = /^#([0-9a-f]{6})$/i.exec(colours.accent || "");
    if (hex) {
      // the play icon dark on a light accent, white on a dark one
      const n = parseInt(hex[1], 16);
      this.style.setProperty("--on-accent", 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255) > 150 ? "#10151c" : "#fff");
    }
    if (brand.label) this.$(".title").textContent = this.label = String(brand.label);
    if (brand.logo) Object.assign(this.$(".logo"), { src: new URL(brand.logo, ORIGIN).href, hidden: false });
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
    this.$(".title").textContent = this.label || this.t.listen;
    const download = this.$(".download");
    download.href = this.url("/audio.mp3?download=1");
    download.hidden = false;
    this.enable();
    if (this.streaming) this.captions(); // they exist now; the stream plays on to its end
    if (this.$(".live").textContent) this.announce(this.t.ready);
    this.emit("ready", { duration_ms: article.duration_ms });
    if (this.continuing || (location.hash === "#narrate-play" && this.hasAttribute("autoadvance"))) {
      // arrived by auto-advance, or playing on in place: carry on (the browser may refuse without a press)
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
    this.preparing = this.loadTimings().then(() => this.update());
    return this.preparing;
  }

  loadTimings() {
    this.timingsLoaded = this.timingsLoaded || fetch(this.url("/timings.json"))
      .then((r) => (r.ok ? r.json() : { paragraphs: [] }))
      .then((body) => { this.timings = body.paragraphs || []; })
      .catch(() => { this.timings = []; });
    return this.timingsLoaded;
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
}
