/* The tokenizer demos (coursesite/demos/specs.py): 分词器对比 "tokenizer", 掩码与替换 "masking", 长文本滑窗
 * "window". Tokenization runs in one shared Web Worker with tokenizers.js (@huggingface/tokenizers, vendored
 * from npm; imported in the worker from a blob: URL so that it also works from file://). The tokenizer.json
 * files come as data packs (assets/demos/data/tok-<id>.js, made from demos/tokenizers/ by `make demos`).
 *
 * Test hook: VDLMDemos.tokenize(id, text, special=true) -> Promise<{tokens, ids}>.
 */
(function () {
  "use strict";
  var D = window.VDLMDemos;
  var MAX_CHARS = 100000;      // longer input gets a message, not a frozen tab
  var SHOW_PIECES = 400;       // pieces shown per tokenizer row

  // ---- the worker (its source is sent as a blob: it must not use anything from this scope) -------------
  function workerMain(self) {
    var lib = null, toks = {};
    return {
      init: function (a) {
        if (lib) return true;
        var url = URL.createObjectURL(new Blob([a.lib], { type: "text/javascript" }));
        return import(url).then(function (m) { lib = m; return true; });
      },
      load: function (a) {
        if (toks[a.id]) return true;
        var spec;
        try { spec = JSON.parse(a.json); } catch (err) { throw new Error("tokenizer.json 不是有效的 JSON（" + err.message + "）"); }
        if (!spec || !spec.model || !spec.model.vocab) throw new Error("tokenizer.json 里没有词表（model.vocab）");
        toks[a.id] = { tok: new lib.Tokenizer(spec, a.config || {}), vocab: spec.model.vocab };
        return true;
      },
      words: function (a) {   // whole lower-case words of the vocabulary (readable random replacements)
        var v = toks[a.id].vocab;
        return (Array.isArray(v) ? v.map(function (x) { return x[0]; }) : Object.keys(v)).filter(function (k) {
          return /^[a-z]{3,}$/.test(k);
        });
      },
      encode: function (a) {
        var e = toks[a.id].tok.encode(a.text, { add_special_tokens: a.special !== false });
        return { tokens: e.tokens, ids: e.ids };
      }
    };
  }

  // One worker per tokenizer: the five vocabularies are parsed side by side (BERT's 30,522 entries take the
  // longest), and each row answers as soon as its own tokenizer is ready.
  var lib = null, loaded = {}, manifest = null, wordLists = {};
  function libSource() {
    return lib || (lib = D.libText("tokenizers").catch(function (err) {
      lib = null;
      throw new Error("分词库 tokenizers.js 无法加载：" + err.message);
    }));
  }
  function rpcFor(id) { return D.worker("tokenizer-" + id, workerMain); }
  function ensureTok(id) {
    if (!loaded[id]) {
      // the worker starts and imports the library while the data pack is still loading (measured: the worker's
      // start and the import are most of a first answer, not the download)
      var rpc = rpcFor(id);
      var ready = libSource().then(function (lib) {
        return rpc.call("init", { lib: lib }).catch(function (err) {
          throw new Error("分词库 tokenizers.js 无法启动：" + err.message);
        });
      });
      loaded[id] = Promise.all([ready, D.data("tok-" + id)]).then(function (r) {
        var pack = r[1];
        if (!pack || typeof pack.json !== "string") {
          throw new Error("分词器文件 data/tok-" + id + ".js 损坏：请运行 make demos 重新生成，再重新构建网站。");
        }
        return rpc.call("load", { id: id, json: pack.json, config: pack.config }).catch(function (err) {
          throw new Error("分词器 " + id + " 无法加载（文件损坏？请运行 make demos 后重新构建网站）：" + err.message);
        });
      }).catch(function (err) { delete loaded[id]; throw err; });
    }
    return loaded[id];
  }
  function encode(id, text, special) {
    return ensureTok(id).then(function () { return rpcFor(id).call("encode", { id: id, text: text, special: special }); });
  }
  function getManifest() {
    return manifest || (manifest = D.data("tokenizers").catch(function (err) { manifest = null; throw err; }));
  }
  D.tokenize = encode;
  libSource();  // this script loads only when a reader starts a demo: fetch the library now

  // ---- shared helpers ---------------------------------------------------------------------------------
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  var SPECIAL = /^(\[(CLS|SEP|PAD|MASK)\]|<s>|<\/s>|<pad>|<mask>)$/;
  function isUnk(t) { return t === "[UNK]" || t === "<unk>"; }
  function pieceClass(t, kind) {
    if (SPECIAL.test(t)) return "vdlm-piece vdlm-special";
    if (isUnk(t)) return "vdlm-piece vdlm-unk";
    if (kind === "wordpiece" ? t.indexOf("##") === 0 : !/^Ġ/.test(t)) return "vdlm-piece vdlm-cont";
    return "vdlm-piece";
  }
  function pieces(tokens, kind, limit) {
    var shown = tokens.slice(0, limit || tokens.length);
    var html = shown.map(function (t) { return '<span class="' + pieceClass(t, kind) + '">' + esc(t) + "</span>"; }).join("");
    if (shown.length < tokens.length) html += " <em>……（另有 " + (tokens.length - shown.length) + " 个未显示）</em>";
    return html;
  }
  function words(text) { var w = text.trim().split(/\s+/); return w[0] ? w.length : 0; }
  function checkText(text) {
    if (!text.trim()) return "请输入一些文本（不能为空），或点一个示例。";
    if (text.length > MAX_CHARS) return "文本太长：" + text.length.toLocaleString() + " 个字符，演示最多处理 " +
      MAX_CHARS.toLocaleString() + " 个字符。请删短一些。";
    return "";
  }
  function notes(text, rows) {
    var out = [];
    if (/[\u3400-\u9fff]/.test(text)) out.push("输入里有中文：英文词表里只有少量常用汉字，通常一个字一个词元，没有的字变成 [UNK]；字节级 BPE 把每个汉字拆成 UTF-8 字节。");
    if (/\p{Extended_Pictographic}/u.test(text)) out.push("输入里有 emoji：WordPiece 词表没有它，整词变成 [UNK]；字节级 BPE 按字节切分，从不出现 [UNK]。");
    if (rows.some(function (r) { return r.tokens.some(isUnk); }) && !out.length) out.push("[UNK]：这个词无法用词表里的片段拼出来，模型看到的只是“未知词”。");
    return out.map(function (n) { return "<p>" + esc(n) + "</p>"; }).join("");
  }
  function ms(t0) { return Math.round(performance.now() - t0) + " ms"; }
  // mulberry32: a seeded random generator (re-roll = new seed)
  function rng(seed) {
    return function () {
      seed |= 0; seed = seed + 0x6D2B79F5 | 0;
      var t = Math.imul(seed ^ seed >>> 15, 1 | seed);
      t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
      return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
  }

  // ---- 分词器对比 -------------------------------------------------------------------------------------
  D.register("tokenizer", {
    mount: function (kit) {
      kit.status("正在加载分词器……", true);
      (kit.options.tokenizers || []).forEach(function (id) { ensureTok(id).catch(function () {}); });  // with the manifest
      return getManifest().then(function (m) {
        var want = kit.options.tokenizers || m.tokenizers.map(function (t) { return t.id; });
        var list = m.tokenizers.filter(function (t) { return want.indexOf(t.id) >= 0; });
        kit.provenance("词表来源：" + list.map(function (t) { return t.label; }).join("；") +
          "。只有 BERT uncased 是真实词表，其余都是本站用 tokenizers 库训练的小词表（每行下方写明语料和大小），不是 BioBERT、ClinicalBERT 或 CodeBERT 的原版词表。");
        return kit.onRun(function (text) {
          var bad = checkText(text);
          if (bad) { kit.output.innerHTML = ""; kit.error(bad); return; }
          var t0 = performance.now(), n = words(text), rows = [];
          kit.status("正在分词……", true);
          // the table at once, each row filled as soon as its tokenizer answers (the first load of the five
          // vocabularies takes longest for BERT's 30,522 entries)
          if (!kit.output.querySelector("table.vdlm-tok")) {   // the first run (or the first after an error)
            kit.output.innerHTML = '<table class="vdlm-tok"><thead><tr><th scope="col">分词器</th><th scope="col">切分结果（橙色 = 接在前一片后面，红色 = [UNK]）</th>' +
              '<th scope="col" class="vdlm-words"></th></tr></thead><tbody>' + list.map(function (t) {
                return '<tr data-tokenizer="' + esc(t.id) + '"><th scope="row">' + esc(t.label) + "<br><small>" + esc(t.provenance) +
                  '</small></th><td class="vdlm-pieces">加载中……</td><td class="vdlm-count"></td></tr>';
              }).join("") + '</tbody></table><div class="vdlm-notes"></div>';
          }
          kit.output.querySelector(".vdlm-words").textContent = "片数（" + n + " 个空格分隔的词）";
          var table = kit.output.querySelector("tbody");
          return Promise.all(list.map(function (t) {
            return encode(t.id, text).then(function (res) {
              var tr = table.querySelector('tr[data-tokenizer="' + t.id + '"]');
              var inner = res.tokens.filter(function (x) { return !SPECIAL.test(x); });
              tr.querySelector(".vdlm-pieces").innerHTML = pieces(res.tokens, t.kind, SHOW_PIECES);
              tr.querySelector(".vdlm-count").innerHTML = inner.length + " 个词元<br>每词 " + (n ? (inner.length / n).toFixed(2) : "–") + " 片";
              tr.setAttribute("data-done", "1");
              rows.push({ t: t, tokens: res.tokens });
            });
          })).then(function () {
            kit.output.querySelector(".vdlm-notes").innerHTML = notes(text, rows);
            kit.status("完成：" + rows.length + " 个分词器，用时 " + ms(t0) + "；在浏览器的后台线程（Web Worker）里用 tokenizers.js 运行，不联网。");
          });
        });
      });
    }
  });

  // ---- 掩码与替换 (MLM 15 % with 80/10/10; RTD) ---------------------------------------------------------
  function vocabWords(id) {
    return wordLists[id] || (wordLists[id] = ensureTok(id).then(function () { return rpcFor(id).call("words", { id: id }); }));
  }
  function randomToken(words, r) { return words[Math.floor(r() * words.length)]; }
  D.register("masking", {
    mount: function (kit) {
      var rate = (kit.options.rate || 15) / 100, seed = 1, last = null, words = [];
      var bar = document.createElement("div");
      bar.className = "vdlm-controls";
      bar.innerHTML = '<button type="button" class="md-button vdlm-reroll">重新抽样（换一组随机位置）</button>';
      kit.output.parentNode.insertBefore(bar, kit.output);
      kit.provenance("词表：BERT 原版 uncased WordPiece（真实词表）。掩码位置和替换词由浏览器里的随机数抽取，不涉及任何模型；" +
        "RTD 一栏用随机词代替 ELECTRA/CodeBERT 的小型生成器，只为展示判别器的标签。");
      function draw() {
        var toks = last.tokens, r = rng(seed), n = toks.length;
        var cand = [];
        toks.forEach(function (t, i) { if (!SPECIAL.test(t)) cand.push(i); });
        var k = Math.max(1, Math.round(rate * cand.length));
        for (var i = cand.length - 1; i > 0; i--) { var j = Math.floor(r() * (i + 1)); var x = cand[i]; cand[i] = cand[j]; cand[j] = x; }
        var chosen = {};
        cand.slice(0, k).forEach(function (i) {
          var u = r();
          chosen[i] = u < 0.8 ? { how: "mask", tok: "[MASK]" } : u < 0.9 ? { how: "random", tok: randomToken(words, r) } : { how: "kept", tok: toks[i] };
        });
        var count = { mask: 0, random: 0, kept: 0 };
        var mlm = toks.map(function (t, i) {
          var c = chosen[i];
          if (c) count[c.how]++;
          var cls = c ? "vdlm-piece vdlm-" + (c.how === "mask" ? "masked" : c.how) : pieceClass(t, "wordpiece");
          return '<span class="vdlm-cell"><span class="' + cls + '">' + esc(c ? c.tok : t) + '</span><span class="vdlm-label">' +
            (c ? "→ " + esc(t) : "−100") + "</span></span>";
        }).join("");
        // RTD: a stand-in "generator" replaces about the same share of positions with random words
        var rr = rng(seed * 7919 + 1), replaced = 0;
        var rtd = toks.map(function (t) {
          if (SPECIAL.test(t)) return '<span class="vdlm-cell"><span class="vdlm-piece vdlm-special">' + esc(t) + '</span><span class="vdlm-label">—</span></span>';
          var swap = rr() < rate, nt = swap ? randomToken(words, rr) : t;
          var isRep = swap && nt !== t;
          if (isRep) replaced++;
          return '<span class="vdlm-cell"><span class="vdlm-piece' + (isRep ? " vdlm-random" : "") + '">' + esc(nt) +
            '</span><span class="vdlm-label">' + (isRep ? "替换" : "原词") + "</span></span>";
        }).join("");
        kit.output.innerHTML =
          "<p><strong>MLM</strong>：" + cand.length + " 个词元中随机选出 " + k + " 个（" + Math.round(rate * 100) + "%）；其中 " +
          count.mask + " 个换成 [MASK]，" + count.random + " 个换成随机词，" + count.kept + " 个保持不变（期望比例 80/10/10）。" +
          "每格下方是损失看到的标签：“→ 原词”的位置参与 MLM 损失，−100 表示忽略。</p><div>" + mlm + "</div>" +
          "<p><strong>RTD</strong>（替换词检测）：生成器替换了 " + replaced + " 个词元；判别器在<strong>每一个</strong>位置都要判断“原词 / 替换”，所有位置都有标签。</p><div>" + rtd + "</div>";
      }
      bar.querySelector("button").addEventListener("click", function () {
        if (!last) return;
        seed = (seed * 48271 + 12345) % 2147483647 || 1;
        draw();
        D.fitSlide(kit.el);
        kit.status("已重新抽样（种子 " + seed + "）。");
      });
      kit.status("正在加载分词器……", true);
      return kit.onRun(function (text) {
        var bad = checkText(text);
        if (bad) { kit.output.innerHTML = ""; last = null; kit.error(bad); return; }
        if (text.length > 2000) { kit.output.innerHTML = ""; last = null; kit.error("这个演示展示一两句话就够了：请输入 2,000 个字符以内的文本（现在 " + text.length.toLocaleString() + " 个）。"); return; }
        var t0 = performance.now();
        return Promise.all([encode("bert-uncased", text), vocabWords("bert-uncased")]).then(function (r) {
          var e = r[0];
          words = r[1];
          last = e;
          draw();
          kit.status("完成：" + e.tokens.filter(function (t) { return !SPECIAL.test(t); }).length + " 个词元（另加 [CLS]/[SEP]），用时 " + ms(t0) +
            "（浏览器后台线程，tokenizers.js）。点“重新抽样”换一组位置。");
        });
      });
    }
  });

  // ---- 长文本滑窗 -------------------------------------------------------------------------------------
  function detok(tokens) { return tokens.join(" ").replace(/ ##/g, ""); }
  D.register("window", {
    mount: function (kit) {
      var maxLen = kit.options.max_length || 512, stride = kit.options.stride || 0, last = null;
      var bar = document.createElement("div");
      bar.className = "vdlm-controls";
      var lens = [128, 256, 512].indexOf(maxLen) < 0 ? [128, 256, 512, maxLen] : [128, 256, 512];
      var strides = [0, 64, 128, 256].indexOf(stride) < 0 ? [0, 64, 128, 256, stride] : [0, 64, 128, 256];
      bar.innerHTML = '<label>窗口长度 <select class="vdlm-maxlen">' + lens.map(function (v) {
        return '<option value="' + v + '"' + (v === maxLen ? " selected" : "") + ">" + v + "</option>"; }).join("") + "</select></label>" +
        '<label>重叠（stride） <select class="vdlm-stride">' + strides.map(function (v) {
        return '<option value="' + v + '"' + (v === stride ? " selected" : "") + ">" + v + "</option>"; }).join("") + "</select></label>";
      kit.output.parentNode.insertBefore(bar, kit.output);
      kit.onExample(function (t) {
        return t === "@long-note" ? D.data("examples").then(function (e) { return e["long-note"]; }) : t;
      });
      kit.provenance("词表：BERT 原版 uncased WordPiece（真实词表）。示例笔记由 vdlm.data.clinical 合成，不是真实病历。");
      function draw() {
        var toks = last.tokens, n = toks.length, per = maxLen - 2;
        if (stride >= per) { kit.output.innerHTML = ""; kit.error("重叠必须小于每个窗口的 " + per + " 个词元：请调小重叠或调大窗口长度。"); return false; }
        var step = per - stride, wins = [];
        for (var s = 0; ; s += step) { var e = Math.min(n, s + per); wins.push([s, e]); if (e >= n) break; }
        var dropped = Math.max(0, n - per);
        var head = "<p>共 <strong>" + n.toLocaleString() + "</strong> 个词元（不含 [CLS]/[SEP]）。每个窗口 " + maxLen + " 个位置 = [CLS] + " + per +
          " 个词元 + [SEP]；相邻窗口重叠 " + stride + " 个，所以需要 <strong>" + wins.length + "</strong> 个窗口。</p>";
        var trunc = dropped ? "<p><strong>如果直接截断到 " + maxLen + "</strong>：只保留前 " + per + " 个词元，丢掉 " + dropped.toLocaleString() + " 个（" +
          Math.round(100 * dropped / n) + "%），丢掉的部分从这里开始：<span class=\"vdlm-piece vdlm-dropped\">" + esc(detok(toks.slice(per, per + 12))) + " …</span></p>"
          : "<p>不超过 " + per + " 个词元：截断不会丢掉任何内容，一个窗口就够了。</p>";
        // the first 10 and the last 8 tokens of a window; " … " only where tokens between them are left out
        function windowPreview(w) {
          var len = w[1] - w[0];
          if (len <= 18) return esc(detok(toks.slice(w[0], w[1])));
          return esc(detok(toks.slice(w[0], w[0] + 10))) + " … " + esc(detok(toks.slice(w[1] - 8, w[1])));
        }
        var list = wins.slice(0, 12).map(function (w, i) {
          return '<div class="vdlm-window"><strong>窗口 ' + (i + 1) + "</strong>：词元 " + (w[0] + 1) + "–" + w[1] +
            (i ? "（与上一个窗口重叠 " + Math.max(0, wins[i - 1][1] - w[0]) + " 个）" : "") + "<br><small>" +
            windowPreview(w) + "</small></div>";
        }).join("") + (wins.length > 12 ? "<p>……另有 " + (wins.length - 12) + " 个窗口。</p>" : "");
        kit.output.innerHTML = head + trunc + list;
        return true;
      }
      function redraw() {  // a new setting: the result and the status line say the same thing
        if (last && draw()) kit.status("窗口长度 " + maxLen + "、重叠 " + stride + "：共 " + last.tokens.length.toLocaleString() + " 个词元，结果见下。");
        D.fitSlide(kit.el);
      }
      bar.querySelector(".vdlm-maxlen").addEventListener("change", function (e) { maxLen = +e.target.value; redraw(); });
      bar.querySelector(".vdlm-stride").addEventListener("change", function (e) { stride = +e.target.value; redraw(); });
      kit.status("正在加载分词器……", true);
      var first = kit.text().trim() ? Promise.resolve() : D.data("examples").then(function (e) { kit.input.value = e["long-note"]; });
      return first.then(function () {
        return kit.onRun(function (text) {
          var bad = checkText(text);
          if (bad) { kit.output.innerHTML = ""; last = null; kit.error(bad); return; }
          var t0 = performance.now();
          kit.status("正在分词……", true);
          return encode("bert-uncased", text, false).then(function (e) {
            last = e;
            if (!draw()) return;
            kit.status("完成：用时 " + ms(t0) + "（浏览器后台线程，tokenizers.js）。改变窗口长度或重叠看看窗口数怎么变。");
          });
        }, { debounce: 300 });
      });
    }
  });
})();
