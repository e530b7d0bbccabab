/* How the player looks: its icons, and its shadow DOM's style and markup. */
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
  :host(narrate-dock) { min-height: 0; }
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
  .label { display: flex; align-items: center; gap: 6px; min-width: 0; }
  .logo { height: 20px; width: auto; max-width: 80px; object-fit: contain; flex: none; }
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
  .progress > div { height: 100%; width: 0; background: var(--accent); }
  @media (prefers-reduced-motion: no-preference) { .progress > div { transition: width .4s; } }
  .num { font-size: 12px; font-variant-numeric: tabular-nums; }
  button.back, button.forward { padding: 0 2px; }
  select.speed { width: 64px; padding: 0 2px; font-size: 14px; }
  .bar[dir="rtl"] .mirror svg { transform: scaleX(-1); }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  /* The dock: the mini player and "Back to the paragraph" (also drawn by a host page for its iframes). */
  .dock { position: fixed; inset-inline: 8px; bottom: 8px; z-index: 2147483000; display: flex; gap: 8px; flex-wrap: wrap;
          align-items: center; justify-content: flex-end; pointer-events: none; }
  .dock > * { pointer-events: auto; }
  .mini { display: flex; align-items: center; gap: 8px; padding: 6px 10px 6px 6px; border-radius: 30px;
          background: var(--bg); color: var(--fg); box-shadow: 0 2px 10px rgba(0,0,0,.3); max-width: 100%; min-width: 0; }
  .mini .title { font-size: 14px; }
  .dock button.follow { background: var(--accent); color: var(--on-accent); border: none; border-radius: 22px;
          padding: 0 14px; box-shadow: 0 2px 10px rgba(0,0,0,.3); }
  /* It floats below the player, over the page, so the player never outgrows its 130 px. */
  .bar { position: relative; z-index: 1; }
  .transcript { font-size: 14px; max-height: 14em; overflow: auto; margin: 0; padding: 6px 8px; padding-inline-start: 2.2em;
          position: absolute; top: calc(100% + 4px); inset-inline: 0; z-index: 2147482999; box-sizing: border-box;
          background: var(--bg); color: var(--fg); border-radius: 10px; box-shadow: 0 2px 10px rgba(0,0,0,.3); }
  /* In an iframe nothing shows outside it: there the frame grows (embed.js on the page resizes it). */
  :host([framed]) .transcript { position: static; box-shadow: none; padding-block: 0; }
  .transcript li[aria-current] { background: rgba(255,205,64,.35); }
  .next-article { font-size: 14px; color: var(--accent); min-height: 44px; display: inline-flex; align-items: center;
          min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
  /* Only what fits: under 300 px the transcript toggle, under 440 px the next article, go. */
  @container (max-width: 299px) { button.show-transcript { display: none; } }
  @container (max-width: 439px) { .next-article { display: none !important; } }
  [hidden] { display: none !important; }
  @media (max-height: 110px) { .controls, .transcript { display: none !important; } :host, .bar { min-height: 0; } }
`;

/* Styles reach a shadow root (or the page) as constructed sheets: a page's CSP style-src does
 * not govern them, as it does <style> elements and style attributes (no 'unsafe-inline'). */
const sheets = new Map();
const adopt = (root, css) => {
  if (!root.adoptedStyleSheets || !window.CSSStyleSheet) {
    // older browsers: needs 'unsafe-inline'
    const style = document.createElement("style");
    style.textContent = css;
    return (root.head || root).appendChild(style);
  }
  if (!sheets.has(css)) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    sheets.set(css, sheet);
  }
  if (!root.adoptedStyleSheets.includes(sheets.get(css))) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheets.get(css)];
};

/* The mini player and "Back to the paragraph": the player's own, or the host page's for its iframes. */
const dockTemplate = (t) => `
  <div class="dock" hidden>
    <div class="mini" hidden>
      <button class="mini-play" type="button" aria-label="${t.pause}">${ICONS.pause}</button>
      <span class="title"></span>
    </div>
    <button class="follow" type="button" hidden>${t.follow}</button>
  </div>`;

const template = (t, dir) => `
  <div class="bar" part="bar" role="region" aria-label="${t.region}: ${t.listen}" dir="${dir}">
    <div class="top">
      <button class="play" type="button" aria-label="${t.play}" disabled>${ICONS.play}</button>
      <div class="main">
        <div class="heading"><span class="label"><img class="logo" alt="" hidden><span class="title">${t.listen}</span></span><span class="duration" dir="ltr"></span></div>
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
    <ol class="transcript" aria-label="${t.transcript}" tabindex="0" hidden></ol>
    <div class="sr live" role="status" aria-live="polite"></div>
    <audio preload="none" crossorigin="anonymous"></audio>
  </div>
  ${dockTemplate(t)}`;

