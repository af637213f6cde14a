/* VDLMDemos: the live demos of the course site (coursesite/demos/). A classic script (it loads from file://
 * too), fetched only when a reader first uses a demo: the page carries a tiny inline loader per demo block
 * (coursesite/demos/blocks.py BOOT_JS) and no demo file until then.
 *
 * API (for the demo scripts, e.g. tokenizer-demos.js, model-demos.js):
 *
 *   VDLMDemos.register(name, { mount(kit) })
 *       A demo script (assets/demos/<spec.script>, named by the widget's data-script) registers each demo it implements. mount(kit) is called
 *       once per widget, on first use; it may return a promise. What it throws is shown in the widget.
 *   kit = VDLMDemos.kit(el): what mount receives —
 *       kit.el, kit.name, kit.options       the widget element, the demo name, its block options (defaults filled)
 *       kit.input                           the <textarea> (kit.text() its value)
 *       kit.output                          the output <div> (empty at first)
 *       kit.status(text, busy)              the status line (aria-live); busy=true adds the busy style
 *       kit.provenance(text)                the Chinese provenance line (which vocabulary / weights, how made)
 *       kit.error(text)                     a clear Chinese message in the widget (never console.error)
 *       kit.onRun(fn, {debounce: ms})       fn(text) on typing (debounced, default 150 ms), on an example
 *                                           click and right after mount; its errors go to kit.error; when the
 *                                           latest run is done, el.vdlmDoneText is the text it ran on
 *       kit.onExample(fn)                   fn(text) -> text: resolve an example's data-text (e.g. "@long-note")
 *       kit.url(path)                       absolute URL of assets/demos/<path>
 *       kit.isFile                          true when opened from file:// (no fetch, no module import)
 *   VDLMDemos.data(name) -> Promise<value>  loads assets/demos/data/<name>.js once (a classic script that calls
 *                                           VDLMDemos.provide(name, value)); rejects with a Chinese message
 *   VDLMDemos.loadScript(path) -> Promise   a classic script under assets/demos/, once
 *   VDLMDemos.provide(name, value)          called by a data pack
 *   VDLMDemos.worker(key, fn) -> rpc        one shared Web Worker per key, made from fn's source (a blob:
 *                                           worker, so it works on file:// too); fn(self) runs in the worker and
 *                                           returns {method(args) -> value | Promise}; rpc.call(method, args,
 *                                           transfer) -> Promise (rejects with the worker's Error message)
 *   VDLMDemos.libText(name) -> Promise<string>  source text of a wrapped ES module (data pack "lib:<name>",
 *                                           file assets/demos/lib/<name>.js); a worker imports it with
 *                                           import(URL.createObjectURL(new Blob([text], {type: "text/javascript"})))
 *   VDLMDemos.activate(el)                  called by the inline loader: loads the demo's script and mounts it
 *   VDLMDemos.ready(el) -> Promise          resolves when el's demo is mounted (tests)
 *
 * Messages shown to readers are Chinese; nothing here logs a console error for a reader's bad input.
 */
(function () {
  "use strict";
  if (window.VDLMDemos) return;
  var SCRIPT = document.currentScript || document.querySelector("script[data-vdlm-demos]");
  var BASE = new URL(".", SCRIPT.src).href;   // .../assets/demos/
  var demos = {}, waiting = {}, scripts = {}, provided = {}, providers = {}, workers = {}, mounted = new WeakMap();

  function url(path) { return new URL(path, BASE).href; }

  function loadScript(path) {
    if (!scripts[path]) {
      scripts[path] = new Promise(function (ok, no) {
        var s = document.createElement("script");
        s.src = url(path);
        s.onload = function () { ok(); };
        s.onerror = function () { delete scripts[path]; no(new Error("无法加载 " + path + "：网站文件不完整？请重新构建网站（make demos 后 make serve）。")); };
        document.head.appendChild(s);
      });
    }
    return scripts[path];
  }

  function provide(name, value) {
    provided[name] = value;
    (providers[name] || []).forEach(function (f) { f(value); });
    delete providers[name];
  }

  function data(name) {
    if (Object.prototype.hasOwnProperty.call(provided, name)) return Promise.resolve(provided[name]);
    var p = new Promise(function (ok) { (providers[name] = providers[name] || []).push(ok); });
    var file = name.indexOf("lib:") === 0 ? "lib/" + name.slice(4) + ".js" : "data/" + name + ".js";
    return Promise.race([p, loadScript(file).then(function () {
      if (!Object.prototype.hasOwnProperty.call(provided, name)) {
        throw new Error("数据文件 " + file + " 已加载，但其中没有 “" + name + "”：文件可能损坏，请运行 make demos 重新生成。");
      }
      return provided[name];
    })]);
  }

  function libText(name) { return data("lib:" + name); }

  // The browser's own Worker. From file://, the offline bundle's iframe-worker shim (Material's offline plugin,
  // for its search) replaces window.Worker by an iframe that cannot load a blob: URL; a hidden blank iframe's
  // realm still has the native constructor (a worker made there lives as long as the iframe).
  var realm = null;
  function nativeWorker() {
    if (!window.IFrameWorker || window.Worker !== window.IFrameWorker) return window.Worker;
    if (!realm) {
      realm = document.createElement("iframe");
      realm.hidden = true;
      realm.title = "在线演示的后台线程";
      realm.setAttribute("aria-hidden", "true");
      realm.tabIndex = -1;
      document.body.appendChild(realm);
    }
    return realm.contentWindow.Worker;
  }

  // One Web Worker per key, made from a function's source (a blob: URL works on http:// and file://).
  function worker(key, fn) {
    if (workers[key]) return workers[key];
    var src = "(function(){var api=(" + fn.toString() + ")(self);" +
      "self.onmessage=function(e){var m=e.data;Promise.resolve().then(function(){" +
      "if(!api[m.method])throw new Error('no method '+m.method);return api[m.method](m.args);})" +
      ".then(function(r){self.postMessage({id:m.id,ok:true,result:r});}," +
      "function(err){self.postMessage({id:m.id,ok:false,error:String(err&&err.message||err)});});};})();";
    var w, pending = {}, next = 1, broken = null;
    try {
      var Native = nativeWorker();
      w = new Native(URL.createObjectURL(new Blob([src], { type: "text/javascript" })), { name: "vdlm-" + key });
      w.onmessage = function (e) {
        var m = e.data, p = pending[m.id];
        if (!p) return;
        delete pending[m.id];
        if (m.ok) p.ok(m.result); else p.no(new Error(m.error));
      };
      w.onerror = function (e) {
        e.preventDefault();
        broken = "演示的后台线程出错：" + (e.message || "未知错误");
        Object.keys(pending).forEach(function (id) { pending[id].no(new Error(broken)); delete pending[id]; });
      };
    } catch (err) {
      broken = "浏览器不允许启动后台线程（Web Worker）：" + err.message;
    }
    workers[key] = {
      worker: w,
      call: function (method, args, transfer) {
        if (broken) return Promise.reject(new Error(broken));
        return new Promise(function (ok, no) {
          var id = next++;
          pending[id] = { ok: ok, no: no };
          w.postMessage({ id: id, method: method, args: args }, transfer || []);
        });
      }
    };
    return workers[key];
  }

  function register(name, demo) {
    demos[name] = demo;
    (waiting[name] || []).forEach(function (f) { f(demo); });
    delete waiting[name];
  }

  function demoNamed(name, script) {
    if (demos[name]) return Promise.resolve(demos[name]);
    var p = new Promise(function (ok) { (waiting[name] = waiting[name] || []).push(ok); });
    return Promise.race([p, loadScript(script).then(function () {
      if (!demos[name]) throw new Error("演示脚本 " + script + " 中没有注册 “" + name + "”。");
      return demos[name];
    })]);
  }

  // On a reveal.js slide (1280×720 layout pixels, coursesite/slides/templates/deck.js) an answer must not push
  // the slide past its bottom edge, where the slide's 讲义 ↗ link and the progress bar sit: the output box
  // scrolls, with the height the slide has left (a long list of windows or results scrolls inside it).
  var SLIDE_H = 720, SLIDE_RESERVE = 30;
  function fitSlide(el) {
    var slide = el.closest(".reveal .slides section"), out = el.querySelector(".vdlm-demo-output");
    if (!slide || !out || !slide.offsetHeight) return;
    var scale = window.Reveal && Reveal.getScale ? Reveal.getScale() || 1 : 1;   // reveal scales the slide
    out.style.maxHeight = "";
    var bottom = (el.getBoundingClientRect().bottom - slide.getBoundingClientRect().top) / scale;
    var over = bottom - (SLIDE_H - SLIDE_RESERVE);
    if (over > 0) out.style.maxHeight = Math.max(48, out.offsetHeight - over) + "px";
  }

  function kit(el) {
    var status = el.querySelector(".vdlm-demo-status");
    var prov = el.querySelector(".vdlm-demo-provenance");
    var input = el.querySelector(".vdlm-demo-input");
    var output = el.querySelector(".vdlm-demo-output");
    var resolver = function (t) { return t; };
    var k = {
      el: el, name: el.getAttribute("data-demo"), input: input, output: output, isFile: location.protocol === "file:",
      options: JSON.parse(el.getAttribute("data-options") || "{}"),
      url: url,
      text: function () { return input ? input.value : ""; },
      status: function (text, busy) {
        status.textContent = text;
        status.classList.remove("vdlm-demo-error");
        status.classList.toggle("vdlm-demo-busy", !!busy);
      },
      provenance: function (text) { prov.textContent = text; },
      error: function (text) {
        status.textContent = String(text && text.message || text);
        status.classList.remove("vdlm-demo-busy");
        status.classList.add("vdlm-demo-error");
      },
      onExample: function (fn) { resolver = fn; },
      onRun: function (fn, opts) {
        var wait = (opts && opts.debounce) || 150, timer = null, seq = 0;
        function run() {
          var mine = ++seq;
          var text = k.text();
          return Promise.resolve().then(function () { return fn(text); }).then(function () {
            if (mine === seq) { fitSlide(el); el.vdlmDoneText = text; }   // what the output shows (tests, benchmarks)
          }, function (err) {
            if (mine === seq) { k.error(err); fitSlide(el); el.vdlmDoneText = text; }
          });
        }
        if (input) input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, wait); });
        el.querySelectorAll(".vdlm-demo-example").forEach(function (b) {
          b.addEventListener("click", function () {
            Promise.resolve(resolver(b.getAttribute("data-text"))).then(function (t) {
              input.value = t;
              return run();
            }).catch(function (err) { k.error(err); });
          });
        });
        k.run = run;
        return run();
      }
    };
    return k;
  }

  function activate(el) {
    if (mounted.has(el)) return mounted.get(el);
    var name = el.getAttribute("data-demo");
    var k = kit(el);
    // an example button clicked while the demo loads (the click that started it, or a later one: the inline
    // loader keeps the last in el.vdlmPending) is clicked again once the demo is mounted and can answer
    var p = demoNamed(name, el.getAttribute("data-script")).then(function (demo) {
      return demo.mount(k);
    }).then(function () {
      el.setAttribute("data-demo-ready", "1");
      var pending = el.vdlmPending;
      el.vdlmPending = null;
      if (pending) pending.click();
    }).catch(function (err) { el.vdlmPending = null; k.error(err); el.setAttribute("data-demo-ready", "error"); });
    mounted.set(el, p);
    return p;
  }

  function ready(el) { return mounted.get(el) || activate(el); }

  // the stylesheet, once, unless the page carries it inline (coursesite/demos/blocks.py widget_css)
  if (!document.querySelector("style[data-vdlm-demos]")) {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = url("demos.css");
    document.head.appendChild(css);
  }

  window.VDLMDemos = {
    register: register, activate: activate, ready: ready, kit: kit, data: data, provide: provide, libText: libText,
    loadScript: loadScript, worker: worker, url: url, fitSlide: fitSlide
  };
})();
