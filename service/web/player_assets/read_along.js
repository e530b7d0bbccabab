/* Read-along: the page's paragraphs marked, highlighted as they are read, kept in view
 * until the reader scrolls away, and played from on a plain click or Enter. */
const CLICK_DELAY_MS = 300; // a second click within this is a double-click (a selection)
const calm = () => matchMedia("(prefers-reduced-motion: reduce)").matches;
const HOST_STYLE =
  "[data-narrate-active]{background:rgba(255,205,64,.35);border-radius:4px}" +
  "@media (prefers-reduced-motion:no-preference){[data-narrate-active]{transition:background .2s}}" +
  "[data-narrate-index]{cursor:pointer}" +
  "[data-narrate-index]:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}";

/* Each spoken paragraph's element among `elements`, found by its text, in order: [index, element] pairs. */
const words = (text) => text.toLowerCase().normalize("NFKC").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
const same = (spoken, shown) => spoken === shown ||
  (Math.min(spoken.length, shown.length) >= 20 && (shown.includes(spoken) || spoken.includes(shown)));
// most words in common: the cleaner mended a few
const near = (spoken, shown) => {
  const said = spoken.split(" ");
  const seen = new Set(shown.split(" "));
  return said.length >= 4 && said.filter((w) => seen.has(w)).length / Math.max(said.length, seen.size) >= 0.8;
};
const alignByText = (timings, elements) => {
  const shown = elements.map((element) => words(element.textContent));
  const found = [];
  // the element the previous paragraph was found in
  let last = -1;
  timings.forEach((timing, index) => {
    const spoken = words(timing.text || "");
    if (!spoken) return;
    const after = (test, start) => shown.findIndex((text, k) => k >= start && text && test(spoken, text));
    // the same text from the last match on (a long paragraph is read as several), else nearly the same after it
    let k = after(same, Math.max(last, 0));
    if (k < 0) k = after(near, last + 1);
    if (k < 0) return;
    found.push([index, elements[k]]);
    last = k;
  });
  return found;
};

const owner = new WeakMap(); // page paragraph -> the player that reads it
const inView = (element) => {
  const box = element.getBoundingClientRect();
  return box.bottom > 0 && box.top < innerHeight;
};
const INTERACTIVE = "a, button, input, select, textarea, summary, label, [contenteditable], [tabindex]:not([data-narrate-index])";

const ReadAlong = (Base) => class extends Base {
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
   * (Narrate's article page, opened while the text was cleaned) calls it again, and so
   * does the stream as more paragraphs are made. With a selector, each spoken paragraph
   * is matched to the page's element showing its text (timings carry it): a byline or a
   * "Listen to this article" line the cleaner left out matches nothing and is left alone. */
  readAlong() {
    // in place of another: not this page's text
    if (!this.wired || this.continuing) return;
    const { selector, elements } = this.paragraphsOnPage();
    const total = this.article.progress ? this.article.progress.total : 0;
    if (!elements.length || !total) return;
    if (selector && !this.timings.length) {
      if (this.stage === "done") this.loadTimings().then(() => this.timings.length && this.readAlong());
      return;
    }
    const found = selector
      ? alignByText(this.timings, elements)
      : elements.map((element) => [Number(element.dataset.narrateParagraph), element]);
    adopt(document, HOST_STYLE);
    if (!this.marked) {
      // spoken paragraph -> the page's element
      this.marked = new Map();
      // The paragraphs' description, in the page's tree (aria-describedby cannot reach a
      // shadow root); a child of the player element is never rendered, only referenced.
      this.hint = document.createElement("span");
      this.hint.id = `narrate-hint-${Math.random().toString(36).slice(2)}`;
      this.hint.hidden = true;
      this.hint.textContent = this.t.playFrom;
      this.appendChild(this.hint);
    }
    for (const [index, element] of found) {
      if (index >= total || this.marked.has(index)) continue;
      // a long paragraph read as several
      if (owner.get(element) === this) this.marked.set(index, element);
      else if (!owner.has(element)) this.mark(element, index);
    }
    const first = [...this.marked.values()].find((element) => element.tabIndex === 0);
    if (!first && this.marked.size) this.rove(this.marked.get(Math.min(...this.marked.keys())));
  }

  /* One paragraph of the page made this player's: it plays from there on a plain click or
   * Enter; Space pauses or resumes; the paragraphs are one Tab stop, arrows move between them. */
  mark(element, index) {
    owner.set(element, this);
    element.dataset.narrateIndex = String(index);
    element.tabIndex = -1;
    element.setAttribute("aria-describedby", this.hint.id);
    this.marked.set(index, element);
    let timer;
    element.addEventListener("click", (event) => {
      clearTimeout(timer);
      if (owner.get(element) !== this || event.detail > 1 || event.target.closest(INTERACTIVE)) return;
      const selection = getSelection();
      if (selection && !selection.isCollapsed) return;
      timer = setTimeout(() => {
        const later = getSelection();
        if (!later || later.isCollapsed) this.playFrom(index);
      }, CLICK_DELAY_MS);
    });
    element.addEventListener("dblclick", () => clearTimeout(timer));
    element.addEventListener("focus", () => owner.get(element) === this && this.rove(element));
    element.addEventListener("keydown", (event) => {
      if (owner.get(element) !== this || event.target !== element) return;
      const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (!step && !["Enter", " "].includes(event.key)) return;
      event.preventDefault();
      if (event.key === "Enter") return this.playFrom(index);
      if (event.key === " ") return this.toggle();
      const order = [...new Set([...this.marked.entries()].sort((a, b) => a[0] - b[0]).map(([, el]) => el))];
      const to = order[order.indexOf(element) + step];
      if (to) to.focus();
    });
  }

  /* The paragraphs' one Tab stop moves to `element`. */
  rove(element) {
    for (const other of this.marked.values()) if (other !== element) other.tabIndex = -1;
    element.tabIndex = 0;
  }

  /* The page's paragraphs given back (the player left the page, or another took its place). */
  unmark() {
    for (const element of this.marked ? this.marked.values() : []) {
      owner.delete(element);
      for (const name of ["data-narrate-index", "data-narrate-active", "tabindex", "aria-describedby"]) element.removeAttribute(name);
    }
    this.marked = null;
  }

  scrollToActive(force) {
    const element = this.marked && this.marked.get(this.active);
    if (!element || (!force && inView(element))) return;
    this.autoScrollUntil = performance.now() + 1500;
    element.scrollIntoView({ behavior: calm() ? "auto" : "smooth", block: "center" });
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
    this.$(".mini .title").textContent = (this.article && this.article.title) || this.t.listen;
    // the host page draws an iframe's mini player (host.js)
    const framed = window.parent !== window;
    if (framed) window.parent.postMessage({ narrate: "playing", playing, title: this.$(".mini .title").textContent }, "*");
    const mini = playing && this.visible === false && !framed;
    const follow = playing && !this.following && Boolean(this.marked && this.marked.get(this.active));
    this.$(".mini").hidden = !mini;
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
    // Tab lands on the paragraph being read
    if (!owner.has(document.activeElement)) this.rove(element);
    if (!this.audio.paused && this.following) this.scrollToActive(false);
    this.dock();
  }
};
