// MathJax 3 configuration, served locally (assets/vendor/mathjax). Typesets the arithmatex output of
// the lecture pages (\( \) and \[ \]) and the $...$ math of the rendered notebooks (jupyter-wrapper),
// and nothing else on the page.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    // \boldsymbol (the MLM and RTD losses on 02): loaded up front. Left to autoload, the extension was fetched
    // but the page's formulas kept a red \boldsymbol (the decks typeset later and were not affected)
    packages: { "[+]": ["boldsymbol"] }
  },
  options: {
    ignoreHtmlClass: "md-typeset|reveal",
    processHtmlClass: "arithmatex|jupyter-wrapper|slide-math"
  },
  loader: { load: ["[tex]/boldsymbol"], paths: { mathjax: new URL("../vendor/mathjax", document.currentScript.src).href } },
  startup: {
    pageReady: function () { return MathJax.startup.defaultPageReady().then(markWideMath); }
  }
};

// A display formula wider than the column scrolls sideways inside its box (Material: div.arithmatex is
// overflow: auto); on a phone nothing showed that it goes on. Mark those boxes: site.css gives them edge
// shadows and a "左右滑动" line under the formula (checked at 375 px by tests/test_phone.py).
function markWideMath() {
  document.querySelectorAll(".md-typeset div.arithmatex").forEach(function (box) {
    box.classList.toggle("math-scrolls", box.scrollWidth > box.clientWidth + 1);
  });
}
window.addEventListener("resize", function () { if (window.MathJax && MathJax.startup && MathJax.startup.document) markWideMath(); });

if (typeof document$ !== "undefined") {
  document$.subscribe(function () {
    if (window.MathJax && MathJax.typesetPromise) {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise().then(markWideMath);
    }
  });
}
