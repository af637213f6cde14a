// A page opened from disk (the offline bundle, file://). Two things differ from the served site:
// 1. Chromium ignores the download attribute on file:// links and shows a notebook's JSON instead of saving
//    it. The offline build embeds each notebook's bytes in its page (coursesite/notebooks/pages.py,
//    script.notebook-source): "下载 .ipynb" saves those through a blob: link, which does download.
// 2. Links that need the network (Colab, the repository, its edit/view buttons) say so; the edit and view
//    icons, which only lead to the repository, are hidden (site.css, html.from-file).
(function () {
  if (location.protocol !== "file:") return;
  var NOTE = "（需联网）";
  document.documentElement.classList.add("from-file");

  function bytesOf(b64) {
    var bin = atob(b64.replace(/\s+/g, "")), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function save(name, b64) {
    var url = URL.createObjectURL(new Blob([bytesOf(b64)], { type: "application/x-ipynb+json" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function prepare() {
    var source = document.querySelector("script.notebook-source[data-name]");
    document.querySelectorAll("a[data-notebook-download]:not([data-offline])").forEach(function (a) {
      a.setAttribute("data-offline", "");
      if (!source) return;
      a.addEventListener("click", function (e) {
        e.preventDefault();
        save(source.getAttribute("data-name"), source.textContent);
      });
    });
    document.querySelectorAll("a[data-needs-network]:not([data-offline]), a.md-source:not([data-offline])")
      .forEach(function (a) {
        a.setAttribute("data-offline", "");
        a.title = "需要联网：" + a.href;
        var label = a.querySelector(".md-source__repository") || a;
        label.appendChild(document.createTextNode(NOTE));
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepare);
  else prepare();
})();
