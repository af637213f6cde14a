/* Chinese query segmentation for Material's search, with the same dictionary as the index.
 *
 * Material's search plugin cuts the index with jieba (jieba's dictionary + build/jieba_user_dict.txt), but
 * the worker cuts a Chinese query with a greedy split over the index that never keeps a whole run of Han
 * characters: 多模态 is searched as 多, 命名实体识别 as 命名 + ... This script segments the query on the page,
 * before the worker sees it:
 *
 *   1. jieba's max-probability cut (no HMM) over the words of assets/js/search-dict.js (written by
 *      coursesite/search/query.py: jieba's dictionary and the course's user dictionary, with frequencies);
 *   2. runs of characters the dictionary does not cover (where jieba would use its HMM) and words that the
 *      index does not contain are cut again with the index's own words (read from the index Material hands to
 *      its worker), then with Intl.Segmenter('zh', {granularity: 'word'});
 *   3. every word the index knows is sent as its own term, followed by U+3007 (〇, a Han character): the
 *      worker's split then keeps the word whole, and 〇 is added to the index separator so that it never
 *      reaches lunr as part of a term.
 *
 * Hook: Worker.prototype.postMessage (also the iframe-worker shim Material uses on file://): the SETUP
 * message (the index) and QUERY messages (the typed text) pass through here. The dictionary is a classic
 * script that assigns window.__searchSegmentDict, loaded when search is first used (works on file://).
 * window.courseSearch.segment(text) returns the words, window.courseSearch.transform(query) the query sent.
 */
(function () {
  "use strict";

  var SETUP = 0, QUERY = 2;             // Material's SearchMessageType
  var KEEP = "\u3007";                  // 〇: Script=Han, so it stays inside the worker's Han run
  var HAN_RUN = /\p{sc=Han}+/gu;
  var HAS_HAN = /\p{sc=Han}/u;
  var ONLY_HAN = /^\p{sc=Han}+$/u;

  var self = document.currentScript ||
    document.querySelector('script[src*="assets/js/search-segment"]');
  var dictUrl = self && self.src ? new URL("search-dict.js", self.src).href : null;

  var dict = null;                      // Map word -> log probability
  var dictMax = 1, logTotal = 0;
  var dictState = "none";               // none | loading | ready | failed
  var waiting = [];                     // callbacks until the dictionary is ready (or failed)

  var indexDocs = null, indexSeparator = null;
  var vocab = null, vocabMax = 1;       // the index's Chinese words (lazily, from the SETUP message)

  var intl = null;
  try {
    intl = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "word" }) : null;
  } catch (e) { intl = null; }

  /* -- dictionary ------------------------------------------------------------------------------------ */

  function buildDict(raw) {
    var map = new Map();
    logTotal = Math.log(raw.total || 1);
    var step = raw.step || 1;
    for (var b = 0; b < raw.buckets.length; b++) {
      var lp = raw.buckets[b][0] / step - logTotal;
      var words = raw.buckets[b][1] ? raw.buckets[b][1].split(" ") : [];
      for (var i = 0; i < words.length; i++) {
        map.set(words[i], lp);
        if (words[i].length > dictMax) dictMax = words[i].length;
      }
    }
    dict = map;
  }

  function settle(state) {
    dictState = state;
    var cbs = waiting; waiting = [];
    for (var i = 0; i < cbs.length; i++) cbs[i]();
  }

  function loadDict(cb) {
    if (cb) waiting.push(cb);
    if (dictState === "ready" || dictState === "failed") return settle(dictState);
    if (dictState === "loading") return;
    dictState = "loading";
    var ready = function () {
      try {
        if (window.__searchSegmentDict) { buildDict(window.__searchSegmentDict); return settle("ready"); }
      } catch (e) { console.warn("search-segment: bad dictionary", e); }
      settle("failed");
    };
    if (window.__searchSegmentDict || !dictUrl) return ready();
    var s = document.createElement("script");
    s.src = dictUrl;
    s.onload = ready;
    s.onerror = function () { console.warn("search-segment: could not load " + dictUrl); settle("failed"); };
    document.head.appendChild(s);
  }

  /* -- the index's words ----------------------------------------------------------------------------- */

  function buildVocab() {
    if (vocab || !indexDocs) return;
    var sep;
    try { sep = new RegExp(indexSeparator || "[\\s\\u200b]+"); } catch (e) { sep = /[\s\u200b]+/; }
    var set = new Set();
    for (var d = 0; d < indexDocs.length; d++) {
      var doc = indexDocs[d];
      var text = ((doc.title || "") + " " + (doc.text || "")).replace(/<[^>]*>/g, " ");
      var toks = text.split(sep);
      for (var t = 0; t < toks.length; t++) {
        var w = toks[t];
        if (w.length > 1 && ONLY_HAN.test(w)) {
          set.add(w);
          if (w.length > vocabMax) vocabMax = w.length;
        }
      }
    }
    vocab = set;
    indexDocs = null;
  }

  /* -- segmentation ---------------------------------------------------------------------------------- */

  function intlCut(s) {
    if (!intl || s.length < 2) return [s];
    var out = [];
    for (var it = intl.segment(s)[Symbol.iterator](), r = it.next(); !r.done; r = it.next())
      out.push(r.value.segment);
    return out;
  }

  // Longest match over the index's words; what none covers goes to Intl.Segmenter.
  function vocabCut(s) {
    if (!vocab) return intlCut(s);
    var out = [], rest = "", i = 0;
    var flush = function () { if (rest) { out.push.apply(out, intlCut(rest)); rest = ""; } };
    while (i < s.length) {
      var len = 0;
      for (var l = Math.min(vocabMax, s.length - i); l > 1; l--)
        if (vocab.has(s.substr(i, l))) { len = l; break; }
      if (len) { flush(); out.push(s.substr(i, len)); i += len; }
      else { rest += s[i]; i++; }
    }
    flush();
    return out;
  }

  // jieba's cut without HMM: the max-probability path through the dictionary's words (ties: the longer).
  function dagCut(s) {
    var n = s.length, route = new Float64Array(n + 1), next = new Int32Array(n + 1);
    for (var i = n - 1; i >= 0; i--) {
      var best = -Infinity, bestJ = i + 1;
      for (var j = i + 1; j <= Math.min(n, i + dictMax); j++) {
        var lp = dict.get(s.slice(i, j));
        if (lp === undefined) { if (j !== i + 1) continue; lp = -logTotal; }
        var score = lp + route[j];
        if (score >= best) { best = score; bestJ = j; }
      }
      route[i] = best; next[i] = bestJ;
    }
    var out = [], buf = "";
    var flush = function () {
      if (buf.length === 1 || (buf.length > 1 && dict.has(buf))) out.push.apply(out, buf.split(""));
      else if (buf.length > 1) out.push.apply(out, vocab ? vocabCut(buf) : intlCut(buf));
      buf = "";
    };
    for (var x = 0; x < n; x = next[x]) {
      var w = s.slice(x, next[x]);
      if (w.length === 1) buf += w;
      else { flush(); out.push(w); }
    }
    flush();
    return out;
  }

  // The words of one run of Han characters.
  function segmentRun(run) {
    buildVocab();
    var words = dict ? dagCut(run) : vocabCut(run);
    if (!vocab) return words;
    var out = [];
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w.length > 1 && !vocab.has(w)) out.push.apply(out, vocabCut(w));
      else out.push(w);
    }
    return out;
  }

  // All words of a text: Han runs segmented, other text split at white space.
  function segment(text) {
    var out = [];
    String(text).replace(HAN_RUN, " $& ").split(/\s+/).forEach(function (part) {
      if (!part) return;
      if (ONLY_HAN.test(part)) out.push.apply(out, segmentRun(part));
      else out.push(part);
    });
    return out;
  }

  function keep(word) {
    return word.length > 1 && (!vocab || vocab.has(word)) ? word + KEEP : word;
  }

  // The query for the worker: every Chinese word a term of its own (see 3. above); lunr's modifiers
  // (+word, -word, "...", word*, word~1, word^2) stay with the words they were typed with.
  function transform(query) {
    if (!HAS_HAN.test(query)) return query;
    return String(query).split(/(\s+)/).map(function (part) {
      if (!HAS_HAN.test(part)) return part;
      var m = /^(["+\-]*)([\s\S]*?)((?:\*|[~^]\d*)?"*)$/.exec(part);
      var pre = m[1], core = m[2], post = m[3];
      var pieces = [];
      core.replace(HAN_RUN, " $& ").split(/\s+/).forEach(function (p) {
        if (!p) return;
        if (ONLY_HAN.test(p)) segmentRun(p).forEach(function (w) { pieces.push(keep(w)); });
        else pieces.push(p);
      });
      var mod = pre.replace(/"/g, ""), quote = pre.indexOf('"') >= 0 ? '"' : "";
      return pieces.map(function (p, i) {
        return (i === 0 ? quote : "") + mod + p + (i === pieces.length - 1 ? post : "");
      }).join(" ");
    }).join("");
  }

  /* -- the hook: messages to Material's search worker ------------------------------------------------ */

  function patch(proto) {
    if (!proto || !proto.postMessage || proto.postMessage.__courseSearch) return;
    var post = proto.postMessage;
    var wrapped = function (message) {
      var worker = this, rest = Array.prototype.slice.call(arguments, 1);
      if (message && message.type === SETUP && message.data && message.data.config) {
        var config = message.data.config;
        indexDocs = message.data.docs || null;
        indexSeparator = config.separator;
        vocab = null;
        var sep = config.separator ? "(?:" + config.separator + ")|" + KEEP : KEEP;
        message = { type: message.type, data: Object.assign({}, message.data,
          { config: Object.assign({}, config, { separator: sep }) }) };
      } else if (message && message.type === QUERY && typeof message.data === "string" &&
                 (HAS_HAN.test(message.data) || waiting.length)) {  // keep queries in order
        var value = message.data;
        loadDict(function () {
          var data = value;
          try { data = transform(value); } catch (e) { console.warn("search-segment:", e); }
          post.apply(worker, [{ type: QUERY, data: data }].concat(rest));
        });
        return;
      }
      return post.apply(worker, [message].concat(rest));
    };
    wrapped.__courseSearch = true;
    proto.postMessage = wrapped;
  }

  if (typeof Worker !== "undefined") patch(Worker.prototype);
  if (window.IFrameWorker && window.IFrameWorker.prototype) patch(window.IFrameWorker.prototype);

  // Load the dictionary when the reader opens search, not on every page load.
  document.addEventListener("focusin", function (ev) {
    if (ev.target && ev.target.matches && ev.target.matches("input.md-search__input")) loadDict();
  });

  window.courseSearch = {
    segment: segment,
    transform: transform,
    load: function () { return new Promise(function (resolve) { loadDict(function () { resolve(dictState); }); }); }
  };
})();
