/* Listening statistics (beacons to the service) and the quartiles reached. */
const STATS_EVERY_MS = 15000;

const Statistics = (Base) => class extends Base {
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
};
