/* Narrate's "Listen to this article" player.
 *
 * Paste on a page:
 *   <div data-narrate-article="ID"></div><script src="https://HOST/embed.js" async></script>
 * or use the element directly: <narrate-player article="ID"></narrate-player>.
 * Optional attributes: read-along="CSS selector" (the page's paragraphs, in order),
 * theme="light|dark". Paragraphs marked data-narrate-paragraph="N" are found on their own.
 */
(() => {
  "use strict";
  const script =
    document.currentScript ||
    [...document.scripts].find((s) => /\/embed\.js(\?|$)/.test(s.src));
  const ORIGIN = script ? new URL(script.src, location.href).origin : location.origin;
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const POLL_MS = 1000;
  const SKIP_S = 15;

  const clock = (seconds) => {
    const s = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
  };

  const STYLE = `
    :host { all: initial; display: block; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
            --bg: #f6f7f9; --fg: #1b1f24; --muted: #5b6470; --accent: #0b57d0; --track: #d5d9e0; }
    :host([theme="dark"]) { --bg: #1e2227; --fg: #eef1f4; --muted: #a6afba; --accent: #8ab4f8; --track: #414852; }
    @media (prefers-color-scheme: dark) {
      :host(:not([theme="light"])) { --bg: #1e2227; --fg: #eef1f4; --muted: #a6afba; --accent: #8ab4f8; --track: #414852; }
    }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 10px 12px;
           background: var(--bg); color: var(--fg); border-radius: 10px; box-sizing: border-box; width: 100%; }
    .main { flex: 1 1 180px; min-width: 0; }
    .heading { display: flex; justify-content: space-between; gap: 8px; font-weight: 600; }
    .duration, .times, .status { color: var(--muted); font-weight: 400; font-size: 13px; }
    .times { display: flex; justify-content: space-between; font-variant-numeric: tabular-nums; }
    button, select, a.download { font: inherit; color: var(--fg); background: transparent; border: 1px solid var(--track);
           border-radius: 6px; padding: 4px 8px; cursor: pointer; text-decoration: none; min-height: 32px; }
    button.play { width: 44px; height: 44px; border-radius: 50%; background: var(--accent); color: var(--bg);
           border: none; font-size: 18px; flex: none; }
    button:disabled { opacity: .45; cursor: default; }
    .controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
    :is(button, select, a, input):focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    input[type=range] { width: 100%; accent-color: var(--accent); margin: 4px 0 0; }
    .progress { height: 4px; background: var(--track); border-radius: 2px; overflow: hidden; margin-top: 6px; }
    .progress > div { height: 100%; width: 0; background: var(--accent); transition: width .4s; }
    [hidden] { display: none !important; }
    @media (max-width: 420px) { .controls { width: 100%; justify-content: space-between; gap: 4px; }
                                button, select, a.download { padding: 4px 6px; } }
  `;

  const TEMPLATE = `
    <div class="bar" part="bar" role="group" aria-label="Listen to this article">
      <button class="play" type="button" aria-label="Play" disabled>&#9654;</button>
      <div class="main">
        <div class="heading"><span>Listen to this article</span><span class="duration"></span></div>
        <div class="ready-only" hidden>
          <input class="seek" type="range" min="0" max="0" step="1" value="0" aria-label="Seek">
          <div class="times"><span class="elapsed">0:00</span><span class="remaining">-0:00</span></div>
        </div>
        <div class="status" role="status" aria-live="polite">Loading…</div>
        <div class="progress" hidden><div></div></div>
      </div>
      <div class="controls ready-only" hidden>
        <button class="prev" type="button" aria-label="Previous paragraph"><svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2h2v12H3zM14 2v12L6 8z" fill="currentColor"/></svg></button>
        <button class="back" type="button" aria-label="Back ${SKIP_S} seconds">&#8634;${SKIP_S}</button>
        <button class="forward" type="button" aria-label="Forward ${SKIP_S} seconds">${SKIP_S}&#8635;</button>
        <button class="next" type="button" aria-label="Next paragraph"><svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true"><path d="M11 2h2v12h-2zM2 2v12l8-6z" fill="currentColor"/></svg></button>
        <select class="speed" aria-label="Playback speed">
          ${SPEEDS.map((s) => `<option value="${s}"${s === 1 ? " selected" : ""}>${s}×</option>`).join("")}
        </select>
        <a class="download" aria-label="Download MP3" download>&#11015;</a>
      </div>
      <audio preload="metadata"></audio>
    </div>`;

  let hostStyleAdded = false;
  const addHostStyle = () => {
    if (hostStyleAdded) return;
    hostStyleAdded = true;
    const style = document.createElement("style");
    style.textContent =
      "[data-narrate-active]{background:rgba(255,205,64,.35);border-radius:4px;transition:background .2s}" +
      "[data-narrate-index]{cursor:pointer}";
    document.head.appendChild(style);
  };

  class NarratePlayer extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = `<style>${STYLE}</style>${TEMPLATE}`;
      this.$ = (selector) => root.querySelector(selector);
      this.audio = this.$("audio");
      this.timings = [];
      this.poll();
    }

    disconnectedCallback() {
      clearTimeout(this.pollTimer);
    }

    get articleId() {
      return this.getAttribute("article") || "";
    }

    url(suffix = "") {
      const base = this.getAttribute("api") || ORIGIN;
      return `${base}/api/v1/articles/${encodeURIComponent(this.articleId)}${suffix}`;
    }

    status(text) {
      this.$(".status").textContent = text;
    }

    async poll() {
      let article;
      try {
        const response = await fetch(this.url(), { headers: { Accept: "application/json" } });
        article = await response.json();
        if (!response.ok) throw new Error(article.detail || response.statusText);
      } catch (error) {
        this.status(`Audio unavailable: ${error.message}`);
        return;
      }
      this.dispatchEvent(new CustomEvent("narrate-status", { detail: article.status }));
      if (article.status === "done") return this.ready(article);
      if (article.status === "failed" || article.status === "cancelled") {
        this.$(".progress").hidden = true;
        this.status(`Audio unavailable: ${article.error || "the conversion failed"}`);
        return;
      }
      const percent = article.progress ? article.progress.percent : 0;
      this.status(`Generating audio… ${percent}%`);
      this.$(".progress").hidden = false;
      this.$(".progress > div").style.width = `${percent}%`;
      this.pollTimer = setTimeout(() => this.poll(), POLL_MS);
    }

    async ready(article) {
      const audio = this.audio;
      this.$(".progress").hidden = true;
      this.status("");
      this.$(".duration").textContent = clock(article.duration_ms / 1000);
      audio.src = this.url("/audio.mp3");
      this.$(".download").href = this.url("/audio.mp3?download=1");
      try {
        this.timings = (await (await fetch(this.url("/timings.json"))).json()).paragraphs;
      } catch {
        this.timings = [];
      }
      this.readAlong();
      this.wire();
      this.restore();
      for (const el of this.shadowRoot.querySelectorAll(".ready-only")) el.hidden = false;
      this.$(".play").disabled = false;
      this.dispatchEvent(new CustomEvent("narrate-ready"));
    }

    key() {
      return `narrate:${this.articleId}`;
    }

    restore() {
      let saved = {};
      try {
        saved = JSON.parse(localStorage.getItem(this.key()) || "{}");
      } catch {
        saved = {};
      }
      if (SPEEDS.includes(saved.rate)) {
        this.audio.playbackRate = saved.rate;
        this.audio.defaultPlaybackRate = saved.rate;
        this.$(".speed").value = String(saved.rate);
      }
      if (saved.t > 0) {
        const seek = () => { this.audio.currentTime = saved.t; this.update(); };
        if (this.audio.readyState >= 1) seek();
        else this.audio.addEventListener("loadedmetadata", seek, { once: true });
      }
    }

    save() {
      try {
        localStorage.setItem(
          this.key(),
          JSON.stringify({ t: this.audio.currentTime, rate: this.audio.playbackRate }),
        );
      } catch {
        /* storage may be disabled; the player works without it */
      }
    }

    wire() {
      const audio = this.audio;
      const play = this.$(".play");
      const seek = this.$(".seek");
      play.addEventListener("click", () => (audio.paused ? audio.play() : audio.pause()));
      audio.addEventListener("play", () => { play.innerHTML = "&#10074;&#10074;"; play.setAttribute("aria-label", "Pause"); });
      audio.addEventListener("pause", () => { play.innerHTML = "&#9654;"; play.setAttribute("aria-label", "Play"); this.save(); });
      audio.addEventListener("loadedmetadata", () => this.update());
      audio.addEventListener("timeupdate", () => this.update());
      audio.addEventListener("ratechange", () => this.save());
      seek.addEventListener("input", () => { audio.currentTime = Number(seek.value); this.update(); });
      this.$(".back").addEventListener("click", () => this.jump(audio.currentTime - SKIP_S));
      this.$(".forward").addEventListener("click", () => this.jump(audio.currentTime + SKIP_S));
      this.$(".prev").addEventListener("click", () => this.paragraph(-1));
      this.$(".next").addEventListener("click", () => this.paragraph(+1));
      this.$(".speed").addEventListener("change", (event) => {
        audio.playbackRate = Number(event.target.value);
        audio.defaultPlaybackRate = audio.playbackRate;
      });
      this.shadowRoot.addEventListener("keydown", (event) => {
        const onControl = ["BUTTON", "SELECT", "A"].includes(event.target.tagName);
        if (event.key === "k" || (event.key === " " && !onControl)) {
          event.preventDefault();
          play.click();
        }
      });
    }

    jump(seconds) {
      const end = Number.isFinite(this.audio.duration) ? this.audio.duration : seconds;
      this.audio.currentTime = Math.min(Math.max(0, seconds), end);
      this.update();
    }

    current() {
      const ms = this.audio.currentTime * 1000;
      let index = -1;
      for (const [i, p] of this.timings.entries()) if (p.start_ms <= ms + 1) index = i;
      return index;
    }

    paragraph(step) {
      const index = Math.min(Math.max(this.current() + step, 0), this.timings.length - 1);
      if (this.timings[index]) this.jump(this.timings[index].start_ms / 1000);
    }

    readAlong() {
      const selector = this.getAttribute("read-along");
      let elements = selector
        ? [...document.querySelectorAll(selector)]
        : [...document.querySelectorAll("[data-narrate-paragraph]")].sort(
            (a, b) => a.dataset.narrateParagraph - b.dataset.narrateParagraph,
          );
      if (!elements.length || !this.timings.length) return;
      // A page usually shows the headline apart from its paragraphs; timings start with it.
      const offset = !selector && elements[0].dataset.narrateParagraph !== undefined
        ? 0
        : Math.max(0, this.timings.length - elements.length);
      addHostStyle();
      this.marked = new Map();
      elements.forEach((element, i) => {
        const index = element.dataset.narrateParagraph !== undefined && !selector
          ? Number(element.dataset.narrateParagraph)
          : i + offset;
        const timing = this.timings[index];
        if (!timing) return;
        element.dataset.narrateIndex = String(index);
        this.marked.set(index, element);
        element.addEventListener("click", () => {
          this.jump(timing.start_ms / 1000);
          this.audio.play();
        });
      });
    }

    highlight(index) {
      if (!this.marked || index === this.active) return;
      const before = this.marked.get(this.active);
      if (before) before.removeAttribute("data-narrate-active");
      this.active = index;
      const element = this.marked.get(index);
      if (!element) return;
      element.setAttribute("data-narrate-active", "");
      const box = element.getBoundingClientRect();
      if (!this.audio.paused && (box.top < 0 || box.bottom > innerHeight)) {
        element.scrollIntoView({ behavior: "smooth", block: "center" });
      }
    }

    update() {
      const audio = this.audio;
      const duration = Number.isFinite(audio.duration) ? audio.duration : 0;
      const seek = this.$(".seek");
      seek.max = String(Math.floor(duration));
      seek.value = String(Math.floor(audio.currentTime));
      seek.setAttribute("aria-valuetext", `${clock(audio.currentTime)} of ${clock(duration)}`);
      this.$(".elapsed").textContent = clock(audio.currentTime);
      this.$(".remaining").textContent = `-${clock(duration - audio.currentTime)}`;
      this.highlight(this.current());
      const now = Date.now();
      if (!this.savedAt || now - this.savedAt > 1000) {
        this.savedAt = now;
        this.save();
      }
    }
  }

  if (!customElements.get("narrate-player")) customElements.define("narrate-player", NarratePlayer);

  const upgrade = () => {
    for (const holder of document.querySelectorAll("[data-narrate-article]")) {
      if (holder.querySelector("narrate-player")) continue;
      const player = document.createElement("narrate-player");
      player.setAttribute("article", holder.dataset.narrateArticle);
      for (const name of ["read-along", "theme", "api"]) {
        const value = holder.getAttribute(`data-narrate-${name}`);
        if (value) player.setAttribute(name, value);
      }
      holder.appendChild(player);
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", upgrade);
  else upgrade();
})();
