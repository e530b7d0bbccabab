/* Read-along: the page's paragraphs marked, highlighted as they are read, kept in view
 * until the reader scrolls away, and played from on a plain click or Enter. */
const CLICK_DELAY_MS = 300; // a second click within this is a double-click (a selection)
const HOST_STYLE =
  "[data-narrate-active]{background:rgba(255,205,64,.35);border-radius:4px;transition:background .2s}" +
  "[data-narrate-index]{cursor:pointer}" +
  "[data-narrate-index]:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}";

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
   * (Narrate's article page, opened while the text was cleaned) calls it again. */
  readAlong() {
    if (this.marked || !this.wired || this.continuing) return; // in place of another: not this page's text
    const { selector, elements } = this.paragraphsOnPage();
    const total = this.article.progress ? this.article.progress.total : 0;
    if (!elements.length || !total) return;
    // A page usually shows the headline apart from its paragraphs; timings start with it.
    const offset = selector ? Math.max(0, total - elements.length) : 0;
    adopt(document, HOST_STYLE);
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
        if (owner.get(element) !== this || event.detail > 1 || event.target.closest(INTERACTIVE)) return;
        const selection = getSelection();
        if (selection && !selection.isCollapsed) return;
        timer = setTimeout(() => {
          const later = getSelection();
          if (!later || later.isCollapsed) this.playFrom(index);
        }, CLICK_DELAY_MS);
      });
      element.addEventListener("dblclick", () => clearTimeout(timer));
      element.addEventListener("keydown", (event) => {
        if (owner.get(element) !== this || event.target !== element || !["Enter", " "].includes(event.key)) return;
        event.preventDefault();
        this.playFrom(index);
      });
    });
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
    this.$(".mini .title").textContent = (this.article && this.article.title) || this.t.listen;
    const framed = window.parent !== window; // the host page draws an iframe's mini player (host.js)
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
    if (!this.audio.paused && this.following) this.scrollToActive(false);
    this.dock();
  }
};
