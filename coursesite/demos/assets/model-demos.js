/* The model demos (coursesite/demos/model_specs.py): 代码搜索 "codesearch" and 实体识别 "ner".
 *
 * Both run int8 ONNX models (made by `make demos`, vdlm/webdemo.py) in one shared Web Worker with
 * onnxruntime-web's self-contained wasm build (assets/demos/lib/ort.js, imported from a blob: URL; the .wasm is
 * handed over as bytes, so nothing is fetched from a CDN) and tokenizers.js (assets/demos/lib/tokenizers.js).
 * Inputs are fed exactly as vdlm.webdemo.OnnxModel feeds onnxruntime in Python (one text per call; [CLS]
 * pieces [SEP]; NER words tokenised one by one), so the page and the build agree.
 *
 * Files: data/model-<demo>.js (tokenizer.json, the demo's data, the model's size and SHA-256),
 * models/<demo>/model_quantized.onnx (fetched on first use), ../vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm.
 * From file:// (the offline zip) fetch is blocked: the model and the wasm come as base64 packs bin/<name>.js.
 *
 * Test hooks: VDLMDemos.models.search(query) -> {model: [{name, score}], bm25: [...]},
 *             VDLMDemos.models.embed(query) -> Float32Array, VDLMDemos.models.tag(text) -> {words, tags, spans}.
 */
(function () {
  "use strict";
  var D = window.VDLMDemos;
  var MAX_CHARS = 10000;       // longer input: a message, not a frozen tab
  var TOP_K = 5;
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = D.url("model-demos.css");
  document.head.appendChild(css);

  // ---- the worker (its source is sent as a blob: it must not use anything from this scope) -------------
  function workerMain(self) {
    var ort = null, Tok = null, models = {};
    function blobImport(text) {
      return import(URL.createObjectURL(new Blob([text], { type: "text/javascript" })));
    }
    function ids64(ids) { return BigInt64Array.from(ids, function (x) { return BigInt(x); }); }
    function run(m, ids) {
      var n = ids.length, shape = [1, n];
      var feeds = {
        input_ids: new ort.Tensor("int64", ids64(ids), shape),
        attention_mask: new ort.Tensor("int64", ids64(ids.map(function () { return 1; })), shape),
        token_type_ids: new ort.Tensor("int64", new BigInt64Array(n), shape)
      };
      return m.session.run(feeds).then(function (out) { return out[m.session.outputNames[0]]; });
    }
    function pieces(m, text) { return m.tok.encode(text, { add_special_tokens: false }).ids; }
    return {
      init: function (a) {
        if (ort) return true;
        if (typeof WebAssembly !== "object") throw new Error("NO_WASM");
        return Promise.all([blobImport(a.ort), blobImport(a.tokenizers)]).then(function (mods) {
          ort = mods[0]; Tok = mods[1].Tokenizer;
          ort.env.wasm.numThreads = 1;         // a static host has no cross-origin isolation: one thread
          ort.env.wasm.proxy = false;
          ort.env.wasm.wasmBinary = a.wasm;    // bytes: no request for the .wasm (file:// too)
          ort.env.logLevel = "error";
          return true;
        });
      },
      load: function (a) {
        if (models[a.id]) return true;
        var json = JSON.parse(a.tokenizer), tok = new Tok(json, a.tokenizer_config || {});
        var vocab = json.model.vocab;
        return ort.InferenceSession.create(new Uint8Array(a.model), { executionProviders: ["wasm"] })
          .then(function (session) {
            models[a.id] = { session: session, tok: tok, cls: vocab["[CLS]"], sep: vocab["[SEP]"], unk: vocab["[UNK]"] };
            return true;
          });
      },
      // mean-pooled, L2-normalised vector of one text (vdlm.webdemo.OnnxModel.embed)
      embed: function (a) {
        var m = models[a.id];
        var p = pieces(m, a.text), cut = p.length > a.max_length - 2;
        var ids = [m.cls].concat(p.slice(0, a.max_length - 2), [m.sep]);
        return run(m, ids).then(function (t) {
          var L = t.dims[1], H = t.dims[2], v = new Float32Array(H), x = t.data, i, j, norm = 0;
          for (i = 0; i < L; i++) for (j = 0; j < H; j++) v[j] += x[i * H + j];
          for (j = 0; j < H; j++) { v[j] /= L; norm += v[j] * v[j]; }
          norm = Math.max(Math.sqrt(norm), 1e-12);
          for (j = 0; j < H; j++) v[j] /= norm;
          return { vector: v, tokens: p.length, cut: cut, unk: p.filter(function (q) { return q === m.unk; }).length };
        });
      },
      // one BIO tag per word: the label of its first piece (vdlm.webdemo.OnnxModel.tag)
      tag: function (a) {
        var m = models[a.id], ids = [m.cls], first = [], cut = false, unk = 0;
        a.words.forEach(function (w) {
          var p = pieces(m, w), room = a.max_length - 1 - ids.length;
          first.push(p.length && room > 0 ? ids.length : -1);
          if (p.length > room) cut = true;
          unk += p.filter(function (q) { return q === m.unk; }).length;
          ids = ids.concat(p.slice(0, Math.max(room, 0)));
        });
        ids.push(m.sep);
        return run(m, ids).then(function (t) {
          var C = t.dims[2], x = t.data;
          var tags = first.map(function (f) {
            if (f < 0) return "O";
            var best = 0;
            for (var c = 1; c < C; c++) if (x[f * C + c] > x[f * C + best]) best = c;
            return a.labels[best];
          });
          return { tags: tags, tokens: ids.length, cut: cut, unk: unk };
        });
      }
    };
  }

  // ---- loading: runtime, model files ----------------------------------------------------------------
  var rpc = null, runtime = null, loaded = {}, packs = {};
  function fail(what, err) { return new Error(what + (err && err.message ? "（" + err.message + "）" : "")); }

  function bytesOf(packName, path) {
    if (location.protocol === "file:") {      // fetch is blocked on file://: base64 packs
      return D.loadScript("bin/" + packName + ".js").then(function () { return D.data("bin:" + packName); })
        .then(function (b64) {
          var s = atob(b64), out = new Uint8Array(s.length);
          for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
          return out.buffer;
        }).catch(function () {
          throw new Error("离线包里没有 " + packName + " 的数据：请用 make offline 重新生成离线包（先 make demos），或在线打开本页。");
        });
    }
    return fetch(D.url(path)).then(function (r) {
      // the offline bundle carries the files as base64 packs for file:// only
      if (!r.ok) throw new Error("HTTP " + r.status + (r.status === 404 ? "；如果这是离线包（make offline），请从磁盘直接打开其中的 index.html" : ""));
      return r.arrayBuffer();
    });
  }

  function ensureRuntime() {
    if (!runtime) {
      if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
        return Promise.reject(new Error("这个浏览器不支持 WebAssembly（或已被禁用），无法在本机运行模型。请换用较新的 Chrome、Edge、Firefox 或 Safari。"));
      }
      if (typeof Worker !== "function") {
        return Promise.reject(new Error("这个浏览器不支持 Web Worker，无法在后台运行模型。"));
      }
      rpc = D.worker("models", workerMain);
      runtime = Promise.all([D.libText("ort"), D.libText("tokenizers"),
        bytesOf("ort-wasm", "../vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm").catch(function (err) {
          throw fail("WebAssembly 运行库文件（ort-wasm-simd-threaded.wasm）无法读取：网站文件不完整，请重新构建。", err);
        })]).then(function (r) {
        return rpc.call("init", { ort: r[0], tokenizers: r[1], wasm: r[2] }, [r[2]]);
      }).catch(function (err) {
        runtime = null;
        if (err && err.message === "NO_WASM") throw new Error("后台线程里没有 WebAssembly：这个浏览器无法在本机运行模型。");
        throw err.message && /[\u4e00-\u9fff]/.test(err.message) ? err : fail("模型运行库 onnxruntime-web 无法启动", err);
      });
    }
    return runtime;
  }

  function pack(demo) {
    return packs[demo] || (packs[demo] = D.data("model-" + demo).then(function (p) {
      if (!p || typeof p.tokenizer !== "string" || !p.data || !p.model) {
        throw new Error("演示数据 data/model-" + demo + ".js 不完整：请运行 make demos 重新生成，再重新构建网站。");
      }
      return p;
    }).catch(function (err) { delete packs[demo]; throw err; }));
  }

  function sha256hex(buf) {
    if (!(window.crypto && crypto.subtle)) return Promise.resolve(null);  // file:// and http://localhost have it
    return crypto.subtle.digest("SHA-256", buf).then(function (h) {
      return Array.prototype.map.call(new Uint8Array(h), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    });
  }

  function ensureModel(demo) {
    if (!loaded[demo]) {
      loaded[demo] = Promise.all([pack(demo), ensureRuntime()]).then(function (r) {
        var p = r[0];
        return bytesOf("model-" + demo, p.model.path).catch(function (err) {
          throw fail("模型文件 " + p.model.path + " 无法读取：运行 make demos 生成它，再重新构建网站。", err);
        }).then(function (buf) {
          return sha256hex(buf).then(function (h) {
            if (buf.byteLength !== p.model.bytes || (h && h !== p.model.sha256)) {
              throw new Error("模型文件 " + p.model.path + " 已损坏（大小或 SHA-256 与构建时不符）：请运行 make demos，再重新构建网站。");
            }
            return rpc.call("load", { id: demo, model: buf, tokenizer: p.tokenizer, tokenizer_config: p.tokenizer_config }, [buf]);
          });
        }).catch(function (err) {
          if (/[\u4e00-\u9fff]/.test(err.message || "")) throw err;
          throw fail("模型文件无法加载（可能已损坏）：请运行 make demos，再重新构建网站。", err);
        }).then(function () { return p; });
      }).catch(function (err) { delete loaded[demo]; throw err; });
    }
    return loaded[demo];
  }

  // ---- shared helpers ---------------------------------------------------------------------------------
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  function checkText(text, what) {
    if (!text.trim()) return "请输入" + what + "（不能为空），或点一个示例。";
    if (text.length > MAX_CHARS) return "输入太长：" + text.length.toLocaleString() + " 个字符，这个演示最多处理 " +
      MAX_CHARS.toLocaleString() + " 个字符。请删短一些。";
    return "";
  }
  function inputNotes(text, info, limit, trainedOn) {
    var out = [];
    if (/[\u3400-\u9fff]/.test(text)) out.push("输入里有中文：这个模型只在" + trainedOn + "上训练过，对中文的结果没有意义。");
    if (/\p{Extended_Pictographic}/u.test(text)) out.push("输入里有 emoji：词表里没有它，模型只看到 [UNK]（未知词元）。");
    else if (info.unk && !out.length) out.push("有 " + info.unk + " 个词元是 [UNK]：词表拼不出这些字符，模型看不到它们的内容。");
    if (info.cut) out.push("输入超过 " + limit + " 个词元，只用了前 " + limit + " 个（与训练时的截断相同），后面的部分没有参与。");
    return out.map(function (n) { return '<p class="vdlm-demo-note">' + esc(n) + "</p>"; }).join("");
  }
  function ms(t0) { return Math.round(performance.now() - t0) + " ms"; }

  // ---- BM25 (rank_bm25.BM25Okapi, as notebook 01 and vdlm.webdemo.bm25_scores) -----------------------
  function codeTerms(text) {
    var out = [];
    (text.match(/[A-Za-z]+/g) || []).forEach(function (w) {
      (w.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) || []).forEach(function (p) { out.push(p.toLowerCase()); });
    });
    return out;
  }
  function BM25(docs, k1, b, eps) {
    var N = docs.length, df = Object.create(null), avg = 0, tf = [];   // no prototype: "constructor" is a word
    k1 = k1 || 1.5; b = b || 0.75; eps = eps === undefined ? 0.25 : eps;
    docs.forEach(function (d) {
      var f = Object.create(null);
      d.forEach(function (w) { f[w] = (f[w] || 0) + 1; });
      tf.push(f);
      avg += d.length;
      Object.keys(f).forEach(function (w) { df[w] = (df[w] || 0) + 1; });
    });
    avg /= N;
    var idf = Object.create(null), sum = 0, neg = [], words = Object.keys(df);
    words.forEach(function (w) {
      var v = Math.log(N - df[w] + 0.5) - Math.log(df[w] + 0.5);
      idf[w] = v; sum += v;
      if (v < 0) neg.push(w);
    });
    var floor = eps * sum / words.length;
    neg.forEach(function (w) { idf[w] = floor; });
    var lens = docs.map(function (d) { return d.length; });
    return function (query) {
      var s = new Float64Array(N);
      query.forEach(function (q) {
        var w = idf[q] || 0;
        for (var i = 0; i < N; i++) {
          var f = tf[i][q] || 0;
          s[i] += w * (f * (k1 + 1) / (f + k1 * (1 - b + b * lens[i] / avg)));
        }
      });
      return s;
    };
  }
  function topK(scores, k) {
    var idx = Array.prototype.map.call(scores, function (_, i) { return i; });
    idx.sort(function (a, b) { return scores[b] - scores[a] || a - b; });
    return idx.slice(0, k);
  }
  function decodeVectors(b64, dim) {
    var s = atob(b64), buf = new ArrayBuffer(s.length), u = new Uint8Array(buf);
    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
    var v = new Float32Array(buf);
    if (v.length % dim) throw new Error("向量数据长度不对：请运行 make demos 重新生成。");
    return v;
  }

  // ---- 代码搜索 ---------------------------------------------------------------------------------------
  var search = null;   // {pack, vectors, bm25, functions}
  function ensureSearch() {
    if (!search) {
      search = ensureModel("codesearch").then(function (p) {
        var fns = p.data.functions;
        return { pack: p, functions: fns, vectors: decodeVectors(p.data.vectors, p.data.dim),
                 bm25: BM25(fns.map(function (f) { return codeTerms(f.code); })) };
      }).catch(function (err) { search = null; throw err; });
    }
    return search;
  }
  function doSearch(query) {
    return ensureSearch().then(function (s) {
      return rpc.call("embed", { id: "codesearch", text: query, max_length: s.pack.data.q_len }).then(function (e) {
        var dim = s.pack.data.dim, n = s.functions.length, sc = new Float32Array(n);
        for (var i = 0; i < n; i++) {
          var d = 0;
          for (var j = 0; j < dim; j++) d += s.vectors[i * dim + j] * e.vector[j];
          sc[i] = d;
        }
        var bm = s.bm25(codeTerms(query));
        var pick = function (scores) {
          return topK(scores, TOP_K).map(function (i) { return { i: i, name: s.functions[i].name, score: scores[i] }; });
        };
        return { model: pick(sc), bm25: pick(bm), info: e, bm25Empty: !codeTerms(query).length };
      });
    });
  }
  function evalLine(ev, kind) {
    if (kind === "codesearch") {
      return "可信度：在 " + ev.n_queries + " 条专门手写的英文查询上（不是模板生成的，每条在全部 " + ev.pool +
        " 个函数里排名），替身模型 MRR " + ev.model.MRR.toFixed(2) + "、首位命中率 " + Math.round(ev.model["R@1"] * 100) +
        "%；BM25 MRR " + ev.bm25.MRR.toFixed(2) + "、首位命中率 " + Math.round(ev.bm25["R@1"] * 100) + "%。";
    }
    return "可信度：在 " + ev.n_sentences + " 句专门手写的生物医学句子上（不是模板生成的，共 " + ev.n_entities +
      " 个实体），实体级 F1 " + ev.f1.toFixed(2) + "（精确率 " + ev.precision.toFixed(2) + "，召回率 " + ev.recall.toFixed(2) +
      "；Disease " + (ev.per_type.Disease || 0).toFixed(2) + "，Chemical " + (ev.per_type.Chemical || 0).toFixed(2) +
      "，Gene " + (ev.per_type.Gene || 0).toFixed(2) + "）。";
  }
  function resultList(title, rows, fns, scoreLabel) {
    return '<div class="vdlm-cs-col"><h4>' + esc(title) + "</h4><ol>" + rows.map(function (r) {
      var f = fns[r.i];
      return "<li><details><summary><code>" + esc(f.name) + "</code> <small>" + scoreLabel + " " + r.score.toFixed(3) +
        "</small></summary><p><small>" + esc(f.path) + ":" + f.lineno + "</small></p><pre><code>" + esc(f.code) +
        "</code></pre></details></li>";
    }).join("") + "</ol></div>";
  }

  D.register("codesearch", {
    mount: function (kit) {
      kit.status("正在加载代码搜索模型（约 23 MB，只在第一次使用时加载）……", true);
      var t0 = performance.now();
      return ensureSearch().then(function (s) {
        kit.provenance(s.pack.data.provenance_zh + " " + evalLine(s.pack.data.eval, "codesearch"));
        kit.status("模型已加载（" + ms(t0) + "）。", false);
        return kit.onRun(function (text) {
          var bad = checkText(text, "一句英文查询");
          if (bad) { kit.output.innerHTML = ""; kit.error(bad); return; }
          var t1 = performance.now();
          kit.status("正在搜索……", true);
          return doSearch(text).then(function (r) {
            kit.output.innerHTML = inputNotes(text, r.info, s.pack.data.q_len, "英文查询和 Python 代码") +
              (r.bm25Empty ? '<p class="vdlm-demo-note">查询里没有英文单词：BM25 没有可匹配的词，右栏的顺序没有意义。</p>' : "") +
              '<div class="vdlm-cs">' + resultList("替身模型（向量相似度）", r.model, s.functions, "余弦") +
              resultList("BM25（关键词）", r.bm25, s.functions, "得分") + "</div>";
            kit.status("前 " + TOP_K + " 个函数（共 " + s.functions.length + " 个），用时 " + ms(t1) + "；点函数名看代码。", false);
          });
        }, { debounce: 250 });
      });
    }
  });

  // ---- 实体识别 ---------------------------------------------------------------------------------------
  var WORD = /[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*'?s?|[^\sA-Za-z0-9]/g;   // vdlm.webdemo.ner_words
  function nerWords(text) {
    var out = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) out.push({ w: m[0], s: m.index, e: m.index + m[0].length });
    return out;
  }
  function nerSpans(words, tags) {   // strict IOB2 (vdlm.webdemo.ner_spans)
    var out = [], cur = null;
    words.forEach(function (w, i) {
      var t = tags[i];
      if (t.indexOf("B-") === 0) { if (cur) out.push(cur); cur = { start: w.s, end: w.e, type: t.slice(2) }; }
      else if (t.indexOf("I-") === 0 && cur && cur.type === t.slice(2)) cur.end = w.e;
      else { if (cur) out.push(cur); cur = null; }
    });
    if (cur) out.push(cur);
    return out;
  }
  function doTag(text) {
    return ensureModel("ner").then(function (p) {
      var words = nerWords(text);
      if (!words.length) return { words: [], tags: [], spans: [], info: {} };
      return rpc.call("tag", { id: "ner", words: words.map(function (w) { return w.w; }), labels: p.data.labels,
                               max_length: p.data.max_length }).then(function (r) {
        var spans = nerSpans(words, r.tags).map(function (s) { s.text = text.slice(s.start, s.end); return s; });
        return { words: words.map(function (w) { return w.w; }), tags: r.tags, spans: spans, info: r };
      });
    });
  }
  var TYPE_ZH = { Disease: "疾病", Chemical: "化学物/药物", Gene: "基因" };
  function highlight(text, spans) {
    var html = "", pos = 0;
    spans.forEach(function (s) {
      html += esc(text.slice(pos, s.start)) + '<mark class="vdlm-ent vdlm-ent-' + s.type + '" title="' + TYPE_ZH[s.type] + '">' +
        esc(text.slice(s.start, s.end)) + '<span class="vdlm-ent-label">' + s.type + "</span></mark>";
      pos = s.end;
    });
    return '<p class="vdlm-ner-text">' + html + esc(text.slice(pos)) + "</p>";
  }

  D.register("ner", {
    mount: function (kit) {
      kit.status("正在加载实体识别模型（约 23 MB，只在第一次使用时加载）……", true);
      var t0 = performance.now();
      return ensureModel("ner").then(function (p) {
        kit.provenance(p.data.provenance_zh + " " + evalLine(p.data.eval, "ner"));
        kit.status("模型已加载（" + ms(t0) + "）。", false);
        return kit.onRun(function (text) {
          var bad = checkText(text, "一句生物医学英文");
          if (bad) { kit.output.innerHTML = ""; kit.error(bad); return; }
          var t1 = performance.now();
          kit.status("正在识别……", true);
          return doTag(text).then(function (r) {
            var legend = '<p class="vdlm-ner-legend">' + ["Disease", "Chemical", "Gene"].map(function (t) {
              return '<mark class="vdlm-ent vdlm-ent-' + t + '">' + t + "</mark> " + TYPE_ZH[t];
            }).join("　") + "</p>";
            kit.output.innerHTML = inputNotes(text, r.info, p.data.max_length, "英文的生物医学句子") + legend + highlight(text, r.spans) +
              (r.spans.length ? "<ul>" + r.spans.map(function (s) {
                return "<li><code>" + esc(s.text) + "</code> → " + s.type + "（" + TYPE_ZH[s.type] + "）</li>";
              }).join("") + "</ul>" : "<p>没有找到实体。</p>");
            kit.status("找到 " + r.spans.length + " 个实体，用时 " + ms(t1) + "。", false);
          });
        }, { debounce: 250 });
      });
    }
  });

  D.models = {
    search: function (q) {
      return doSearch(q).then(function (r) {
        var strip = function (rows) { return rows.map(function (x) { return { name: x.name, score: x.score }; }); };
        return { model: strip(r.model), bm25: strip(r.bm25) };
      });
    },
    embed: function (q) {
      return ensureSearch().then(function (s) {
        return rpc.call("embed", { id: "codesearch", text: q, max_length: s.pack.data.q_len });
      }).then(function (e) { return Array.from(e.vector); });
    },
    tag: function (text) { return doTag(text).then(function (r) { return { words: r.words, tags: r.tags, spans: r.spans }; }); },
    workerUsed: function () { return !!(rpc && rpc.worker); }
  };
})();
