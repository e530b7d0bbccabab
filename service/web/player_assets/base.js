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
const script =
  document.currentScript ||
  [...document.scripts].find((s) => /\/embed(\.[\w-]+)?\.js(\?|$)/.test(s.src));
const ORIGIN = script ? new URL(script.src, location.href).origin : location.origin;
const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
const SKIP_S = 15;
const POLL_MIN_MS = 1000;
const POLL_MAX_MS = 10000;
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
