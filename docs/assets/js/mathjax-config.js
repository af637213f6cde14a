// MathJax 3 configuration, served locally (assets/vendor/mathjax). Typesets the arithmatex output of
// the lecture pages (\( \) and \[ \]) and the $...$ math of the rendered notebooks (jupyter-wrapper),
// and nothing else on the page.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: "md-typeset|reveal",
    processHtmlClass: "arithmatex|jupyter-wrapper|slide-math"
  },
  loader: { paths: { mathjax: new URL("../vendor/mathjax", document.currentScript.src).href } }
};

if (typeof document$ !== "undefined") {
  document$.subscribe(function () {
    if (window.MathJax && MathJax.typesetPromise) {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
