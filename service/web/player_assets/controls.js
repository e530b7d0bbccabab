/* The controls: play, pause, seek, skip, speed, keyboard, the lock screen (Media Session),
 * the transcript and the next article. */
const Controls = (Base) => class extends Base {
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
    this.toggle = toggle;
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
      if (this.hasAttribute("autoadvance")) this.advance();
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

  mediaSession() {
    if (!("mediaSession" in navigator) || !window.MediaMetadata) return;
    for (const other of players) other.owning = other === this;
    const art = this.getAttribute("artwork") || document.querySelector('meta[property="og:image"]')?.content;
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

  /* The playlist's next article: on Narrate's own pages its page here; elsewhere the
   * publisher's page of it (`source_url`), or, without one, played in this place. */
  async nextArticle() {
    const link = this.$(".next-article");
    if (!this.hasAttribute("playlist") && !this.hasAttribute("autoadvance")) return;
    try {
      const response = await fetch(this.url("/next"));
      if (!response.ok) return;
      const next = await response.json();
      const framed = window.parent !== window;
      const href = !framed && location.origin === ORIGIN ? next.links.page : next.source_url;
      link.href = href || "#";
      if (href && framed) link.target = "_top";
      link.onclick = href ? null : (event) => { event.preventDefault(); this.playInPlace(next); };
      link.textContent = `${this.t.nextArticle}: ${next.title}`;
      link.hidden = false;
      this.next = { href, next };
    } catch { /* no next article: nothing to show */ }
  }

  advance() {
    if (!this.next) return;
    if (this.next.href) (window.top || window).location.href = `${this.next.href}#narrate-play`;
    else this.playInPlace(this.next.next);
  }

  /* A new player for the next article takes this one's place (and attributes) and plays. */
  playInPlace(next) {
    const fresh = document.createElement("narrate-player");
    for (const { name, value } of this.attributes) {
      if (!["article", "state", "streaming", "signed", "read-along"].includes(name)) fresh.setAttribute(name, value);
    }
    fresh.setAttribute("article", next.id);
    fresh.continuing = true;
    this.audio.pause();
    this.replaceWith(fresh);
  }
};
