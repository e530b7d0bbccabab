/* The page around the player: one voice at a time, the events it dispatches, its iframes'
 * heights and events relayed, and the start. */
const players = new Set();
/* One voice at a time: a player that starts pauses the others in its document and, by a
 * message, in every other frame of the page (oEmbed iframes, the host page's players). */
const quiet = (except) => { for (const other of players) if (other !== except) other.audio.pause(); };
const quietElsewhere = () => {
  const frames = [window.top]; // a frame's frames are reachable across origins; their documents are not
  for (const w of frames) for (let i = 0; i < w.length; i++) frames.push(w[i]);
  for (const w of frames) if (w !== window) w.postMessage({ narrate: "pause" }, "*");
};

const HostEvents = (Base) => class extends Base {
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
};

/* The mini player of the page's Narrate iframes, drawn here: a frame out of view cannot draw outside itself. */
// iframe -> { playing, title, visible }
const framesPlaying = new Map();
let hostDock;
const drawDock = () => {
  const shown = [...framesPlaying].find(([, s]) => s.playing && s.visible === false);
  if (!hostDock) {
    if (!shown) return;
    hostDock = document.createElement("narrate-dock");
    const root = hostDock.attachShadow({ mode: "open" });
    const lang = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
    root.innerHTML = dockTemplate(STRINGS[lang] || STRINGS.en);
    adopt(root, STYLE);
    root.querySelector(".mini-play").addEventListener("click", () => hostDock.frame.contentWindow.postMessage({ narrate: "toggle" }, ORIGIN));
    document.body.append(hostDock);
  }
  const $ = (selector) => hostDock.shadowRoot.querySelector(selector);
  $(".dock").hidden = $(".mini").hidden = !shown;
  if (shown) [hostDock.frame, $(".title").textContent] = [shown[0], shown[1].title];
};
const framePlaying = (frame, data) => {
  if (!framesPlaying.has(frame) && window.IntersectionObserver) {
    new IntersectionObserver(([entry]) => {
      framesPlaying.get(frame).visible = entry.isIntersecting;
      drawDock();
    }).observe(frame);
  }
  framesPlaying.set(frame, { ...framesPlaying.get(frame), playing: data.playing, title: String(data.title || "") });
  drawDock();
};

const relay = (event) => {
  if (!event.data || !event.data.narrate) return;
  if (event.data.narrate === "pause") return quiet(null); // from any frame: a pause harms no one
  if (event.data.narrate === "toggle" && event.source === window.parent) {
    // this frame's one player
    for (const player of players) if (player.toggle) player.toggle();
    return;
  }
  if (event.origin !== ORIGIN) return;
  const frame = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source);
  if (!frame) return;
  if (event.data.narrate === "playing") framePlaying(frame, event.data);
  else if (event.data.narrate === "height") frame.style.height = `${event.data.height}px`;
  else if (event.data.narrate === "event") {
    frame.dispatchEvent(new CustomEvent(`narrate-${event.data.type}`, { detail: event.data.detail, bubbles: true }));
  }
};

const upgrade = () => {
  // Narrate's iframes (oEmbed) styled through the CSSOM, which a strict CSP allows where it ignores their style attribute
  for (const frame of document.querySelectorAll(`iframe[src^="${ORIGIN}/player/"]`)) {
    Object.assign(frame.style, { border: "0", width: "100%", maxWidth: `${frame.width || 640}px`, colorScheme: "normal" });
  }
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

// Every oEmbed snippet brings its own copy of this script: the first does the work (one
// relay of the frames' events and heights, so each event reaches the page once), a later
// copy only upgrades the holders added since.
const LOADED = Symbol.for(`narrate-embed ${ORIGIN}`);
if (window[LOADED]) window[LOADED]();
else {
  window[LOADED] = upgrade;
  const NarratePlayer = HostEvents(Statistics(ReadAlong(Controls(Streaming(Player)))));
  if (!customElements.get("narrate-player")) customElements.define("narrate-player", NarratePlayer);
  addEventListener("message", relay);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", upgrade);
  else upgrade();
}
