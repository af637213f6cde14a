// Starts a lecture deck (coursesite/slides/templates/deck.html): renders the mermaid diagrams and typesets the
// math first (so slide sizes and the print layout are final), then initialises reveal.js.
// Everything is served by the site itself (assets/vendor/...): nothing is fetched from the internet.
// Sets document.documentElement.dataset.deckReady = "1" (and window.deckReady) when done, and
// dataset.pdfReady = "1" once reveal has laid out the print view (?print-pdf); the tests and
// scripts/export_pdf.py wait for them.
(function () {
  "use strict";
  var DECK = window.DECK || {};
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", ' +
    '"Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';

  // ?theme=black switches to reveal's black theme (the only other theme that loads no web fonts).
  var params = new URLSearchParams(location.search);
  if (params.get("theme") === "black") {
    var link = document.getElementById("deck-theme");
    link.href = link.href.replace(/white\.css$/, "black.css");
    document.documentElement.classList.add("deck-dark");
  }

  // mermaid renders every .mermaid element itself on window load unless told not to: say so now,
  // before the load event (this script runs at the end of <body>), and render them in start().
  function mermaidConfig() {
    return {
      startOnLoad: false, securityLevel: "strict", fontFamily: FONT,
      theme: document.documentElement.classList.contains("deck-dark") ? "dark" : "default",
      flowchart: { htmlLabels: true, useMaxWidth: true }
    };
  }
  if (window.mermaid) mermaid.initialize(mermaidConfig());

  async function renderMermaid() {
    var blocks = document.querySelectorAll(".reveal pre.mermaid, .reveal div.mermaid");
    if (!blocks.length) return;
    if (!window.mermaid) { console.error("mermaid is not loaded: diagrams are shown as text"); return; }
    for (var i = 0; i < blocks.length; i++) {
      var el = blocks[i];
      var source = el.textContent;
      try {
        var out = await mermaid.render("deck-mermaid-" + i, source);
        var div = document.createElement("div");
        div.className = "mermaid-diagram";
        div.innerHTML = out.svg;
        el.replaceWith(div);
      } catch (err) {
        var section = el.closest("section");
        console.error("mermaid: diagram " + (i + 1) + " on slide '" + (section ? section.id : "?") + "': " +
          (err && err.message ? err.message : err));
      }
    }
  }

  async function typesetMath() {
    if (!document.querySelector(".reveal .arithmatex")) return;
    if (!window.MathJax || !MathJax.startup) { console.error("MathJax is not loaded: math is shown as TeX"); return; }
    await MathJax.startup.promise;
    await MathJax.typesetPromise([document.querySelector(".reveal .slides")]);
  }

  // A slide a little taller than the screen gets smaller type, down to FIT_MIN of the normal size
  // (26px → 21px, still readable on a projector); what still overflows is reported by the tests.
  var FIT_MIN = 0.8;
  function fitSlides() {
    var slides = document.querySelector(".reveal .slides");
    var width = slides.style.width, height = slides.style.height;
    slides.style.width = "1280px";
    slides.style.height = "720px";
    document.querySelectorAll(".reveal .slides > section").forEach(function (s) {
      var display = s.style.display;
      s.style.display = "block";
      var scale = 1;
      for (var i = 0; i < 12 && s.scrollHeight > 720 && scale > FIT_MIN; i++) {
        scale = Math.max(FIT_MIN, scale * Math.pow(720 / s.scrollHeight, 0.7));
        s.style.fontSize = scale.toFixed(3) + "em";
      }
      if (scale < 1) s.dataset.fit = scale.toFixed(2);
      s.style.display = display;
    });
    slides.style.width = width;
    slides.style.height = height;
  }

  // The speaker view (reveal's notes plugin writes it into a popup named "reveal.js - Notes"): Chinese labels,
  // the "Upcoming" label above the preview instead of over the next slide's title, note labels in bold.
  var SPEAKER_CSS =
    "#upcoming-slide { padding-top: 44px !important; }" +
    "#upcoming-slide .label { top: 4px !important; left: 8px !important; }" +
    "#upcoming-slide iframe { height: calc(100% - 4px) !important; }" +
    ".speaker-controls-notes .value p { margin: 0 0 0.5em; }" +
    ".speaker-controls-notes .value ul { margin: 0 0 0.5em 1.2em; padding: 0; }" +
    ".speaker-controls-notes .value .note-label { font-weight: 700; }";
  var SPEAKER_LABELS = [["#upcoming-slide .label", "下一张"], [".speaker-controls-notes .label", "讲者备注"],
    [".speaker-controls-time .label", "时间"], [".speaker-controls-time .reset-button", "点击重置"],
    [".speaker-controls-time .pacing-title", "本张剩余时间"]];
  function dressSpeakerView(win, tries) {
    var doc;
    try { doc = win.document; } catch (e) { return; }
    if (!doc || !doc.getElementById("upcoming-slide")) {
      if (tries < 50) setTimeout(function () { dressSpeakerView(win, tries + 1); }, 100);
      return;
    }
    if (doc.getElementById("deck-speaker-css")) return;
    var style = doc.createElement("style");
    style.id = "deck-speaker-css";
    style.textContent = SPEAKER_CSS;
    doc.head.appendChild(style);
    SPEAKER_LABELS.forEach(function (pair) {
      var el = doc.querySelector(pair[0]);
      if (!el) return;
      var text = Array.prototype.find.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
      if (text) text.textContent = pair[1] + " ";
      else if (!el.children.length) el.textContent = pair[1];
    });
  }
  var openWindow = window.open;
  window.open = function (url, name) {
    var win = openWindow.apply(window, arguments);
    if (win && name === "reveal.js - Notes") setTimeout(function () { dressSpeakerView(win, 0); }, 0);
    return win;
  };

  // Drawing (reveal.js-plugins' chalkboard): C draws on the slide, B opens the blackboard; the buttons sit left of
  // the arrows. Drawings are kept in the tab's sessionStorage per deck, so a reload during the lecture keeps them.
  var printing = /print-pdf/i.test(location.search);
  var receiver = /receiver/i.test(location.search);  // the speaker view's previews
  function drawingPlugins() {
    if (!window.RevealChalkboard || receiver) return [];
    var plugins = [RevealChalkboard];
    if (window.RevealCustomControls && !printing) plugins.push(RevealCustomControls);
    return plugins;
  }
  var CHALKBOARD = {
    storage: "deck-chalkboard:" + location.pathname, theme: "whiteboard", boardmarkerWidth: 4, chalkWidth: 5,
    transition: 300, readOnly: false
  };
  var CONTROLS = {
    tooltip: "显示/隐藏画笔按钮",
    controls: [
      { id: "toggle-notes", title: "在幻灯片上画（C）", icon: '<i class="fa-solid fa-pen" aria-hidden="true"></i>',
        action: "RevealChalkboard.toggleNotesCanvas()" },
      { id: "toggle-chalkboard", title: "黑板（B）", icon: '<i class="fa-solid fa-chalkboard" aria-hidden="true"></i>',
        action: "RevealChalkboard.toggleChalkboard()" }
    ]
  };

  // Keyboard users: Tab stays on the slide on screen. reveal.js keeps the neighbouring slides in the page, off
  // screen, and their links took the focus first (ten Tab presses through slides 12-13 before slide 14's
  // demo): every other slide is inert, except in the overview, where a click on any slide must work.
  function inertOthers() {
    if (Reveal.isPrintView && Reveal.isPrintView()) return;
    var current = Reveal.getCurrentSlide(), overview = Reveal.isOverview();
    document.querySelectorAll(".reveal .slides section").forEach(function (s) {
      s.inert = !(overview || s === current || s.contains(current));
    });
  }

  async function start() {
    try { await document.fonts.ready; } catch (e) { /* older browsers */ }
    await renderMermaid();
    await typesetMath();
    fitSlides();
    Reveal.on("pdf-ready", function () { document.documentElement.dataset.pdfReady = "1"; });
    // The chalkboard reads its boards from sessionStorage and warns "Cannot initialise storage!" when there are
    // none yet (a first visit): store two empty boards of the slide's size, as it stores them itself.
    try {
      if (CHALKBOARD.storage && !sessionStorage.getItem(CHALKBOARD.storage)) {
        sessionStorage.setItem(CHALKBOARD.storage, JSON.stringify([0, 1].map(function () {
          return { width: 1280, height: 720, data: [] };
        })));
      }
    } catch (e) { /* storage blocked: the plugin keeps the boards in memory */ }
    await Reveal.initialize({
      width: 1280, height: 720, margin: 0.04, minScale: 0.2, maxScale: 2.0,
      // hashOneBasedIndex: a numeric deep link #/5 opens the slide numbered "5 / N" (slides with an id get #/id).
      // Not in the speaker view's previews: the notes plugin opens them at a zero-based #/h/v.
      hash: true, hashOneBasedIndex: !receiver, history: false, respondToHashChanges: true,
      controls: true, progress: true, slideNumber: "c/t", showSlideNumber: "all",
      overview: true, center: false, transition: "slide", transitionSpeed: "fast",
      pdfMaxPagesPerSlide: 1, pdfSeparateFragments: false,
      totalTime: DECK.totalSeconds || null,
      chalkboard: CHALKBOARD, customcontrols: CONTROLS,
      plugins: (window.RevealNotes ? [RevealNotes] : []).concat(drawingPlugins())
    });
    ["slidechanged", "overviewshown", "overviewhidden"].forEach(function (e) { Reveal.on(e, inertOthers); });
    inertOthers();
    window.deckReady = true;
    document.documentElement.dataset.deckReady = "1";
  }

  start().catch(function (err) { console.error("deck: " + (err && err.stack ? err.stack : err)); });
})();
