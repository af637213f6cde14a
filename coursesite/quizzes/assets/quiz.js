// Self-checks (自测): checks the answers of the quizzes rendered by coursesite/quizzes/render.py, shows every
// choice's explanation, keeps the score, and stores progress in this browser's localStorage only (nothing is
// sent anywhere). Also fills in the progress per section on the home page's 目录 and on the 自测汇总 page
// (both carry the catalog of all quizzes as inline JSON, so this works from file:// too).
(function () {
  "use strict";
  var KEY = "coursesite-quiz-v1";
  var memory = {};  // when localStorage is unavailable (private mode, blocked storage)

  function load() {
    try {
      var raw = window.localStorage.getItem(KEY);
      var data = raw ? JSON.parse(raw) : {};
      return data && typeof data === "object" && data.answers ? data : { answers: {} };
    } catch (e) {
      return memory.data || { answers: {} };
    }
  }
  function save(data) {
    memory.data = data;
    try { window.localStorage.setItem(KEY, JSON.stringify(data)); } catch (e) { /* kept in memory */ }
  }

  // The same rules as coursesite/quizzes/parse.py (parse_number, normalise_term).
  function parseNumber(text) {
    var t = String(text).normalize("NFKC").trim().replace(/[,_ ]/g, "");
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    return parseFloat(t);
  }
  function normaliseTerm(text) {
    return String(text).normalize("NFKC").toLowerCase()
      .replace(/[\s\-_·.,;:!?'"()（）“”‘’、，。；：！？]+/g, "");
  }
  var LETTERS = "ABCDEFGHIJ";

  // -- one question ----------------------------------------------------------------------------------------

  function answerOf(form) {
    var kind = form.dataset.kind;
    if (kind === "single" || kind === "multiple") {
      return Array.prototype.map.call(form.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    return form.querySelector("input[type=text]").value;
  }

  // {ok, message} for an answer, or {message} alone when it cannot be judged (nothing chosen, not a number)
  function judge(form, answer) {
    var kind = form.dataset.kind;
    if (kind === "single" || kind === "multiple") {
      if (!answer.length) return { message: kind === "single" ? "请先选择一个选项。" : "请先选择至少一个选项。" };
      var items = form.querySelectorAll("li.quiz-choice"), right = [];
      items.forEach(function (li, i) { if (li.dataset.correct === "true") right.push(String(i + 1)); });
      var ok = right.length === answer.length && right.every(function (v) { return answer.indexOf(v) >= 0; });
      var letters = right.map(function (v) { return LETTERS[Number(v) - 1]; }).join("、");
      return { ok: ok, message: ok ? "回答正确！下面是每个选项的解释。" :
        "回答错误。正确答案是 " + letters + "。看看每个选项下的解释，可以改选后再检查。" };
    }
    if (!String(answer).trim()) return { message: "请先填写答案。" };
    if (kind === "number") {
      var x = parseNumber(answer);
      if (x === null) return { message: "“" + answer + "”不是一个数：请只填数字（例如 12345 或 0.5），不带单位和字母。" };
      var value = parseFloat(form.dataset.value), tol = parseFloat(form.dataset.tolerance || "0");
      var good = Math.abs(x - value) <= tol + 1e-9 * Math.max(1, Math.abs(value));
      return { ok: good, message: good ? "回答正确！" : "回答错误。正确答案是 " + value.toLocaleString("en-US") + "。看看下面的解释，可以改后再检查。" };
    }
    var terms = JSON.parse(form.dataset.terms || "[]");
    var hit = terms.some(function (t) { return normaliseTerm(t) === normaliseTerm(answer); });
    return { ok: hit, message: hit ? "回答正确！" : "回答错误。正确答案是 " + terms[0] + "。看看下面的解释，可以改后再检查。" };
  }

  function show(form, answer, result) {
    var feedback = form.querySelector(".quiz-feedback");
    feedback.textContent = result.message;
    form.classList.remove("quiz-is-right", "quiz-is-wrong");
    if (result.ok === undefined) return;
    form.classList.add(result.ok ? "quiz-is-right" : "quiz-is-wrong");
    form.querySelectorAll("li.quiz-choice").forEach(function (li, i) {
      var chosen = answer.indexOf(String(i + 1)) >= 0;
      var correct = li.dataset.correct === "true";
      li.classList.toggle("quiz-chosen", chosen);
      li.classList.toggle("quiz-right", correct);
      li.classList.toggle("quiz-wrong", !correct);
      var why = li.querySelector(".quiz-why");
      why.hidden = false;
      var verdict = why.querySelector(".quiz-verdict") || document.createElement("strong");
      verdict.className = "quiz-verdict";
      verdict.textContent = (correct ? "✓ 正确选项" : "✗ 错误选项") + (chosen ? "（你选了）" : "") + "：";
      if (!verdict.parentNode) why.insertBefore(verdict, why.firstChild);
    });
    var typedWhy = form.querySelector("div.quiz-why");
    if (!form.querySelector("li.quiz-choice") && typedWhy) typedWhy.hidden = false;
  }

  function clear(form) {
    form.reset();
    form.classList.remove("quiz-is-right", "quiz-is-wrong");
    form.querySelector(".quiz-feedback").textContent = "";
    form.querySelectorAll(".quiz-why").forEach(function (w) { w.hidden = true; });
    form.querySelectorAll(".quiz-verdict").forEach(function (v) { v.remove(); });
    form.querySelectorAll("li.quiz-choice").forEach(function (li) {
      li.classList.remove("quiz-chosen", "quiz-right", "quiz-wrong");
    });
  }

  function restore(form, answer) {
    if (Array.isArray(answer)) {
      form.querySelectorAll("input").forEach(function (i) { i.checked = answer.indexOf(i.value) >= 0; });
    } else {
      form.querySelector("input[type=text]").value = answer;
    }
    show(form, answer, judge(form, answer));
  }

  // -- one quiz (a page's 自测) -------------------------------------------------------------------------------

  // The score counts a question as right only when its first checked answer was right (a retry after seeing
  // the explanations is a correction, counted apart: otherwise every quiz ends "全对"). Records stored before
  // `first` existed count by their last answer.
  function firstOk(a) { return a.first === undefined ? a.ok : a.first; }

  function tally(ids, answers) {
    var done = 0, right = 0, fixed = 0;
    ids.forEach(function (id) {
      var a = answers[id];
      if (!a) return;
      done++;
      if (firstOk(a)) right++; else if (a.ok) fixed++;
    });
    return { done: done, right: right, fixed: fixed, total: ids.length };
  }

  function fixedText(t) { return t.fixed ? "（另有 " + t.fixed + " 题改对）" : ""; }

  function scoreText(t) {
    if (!t.done) return "尚未作答（共 " + t.total + " 题）。";
    if (t.done < t.total) return "已答 " + t.done + "/" + t.total + " 题，一次答对 " + t.right + " 题" + fixedText(t) + "。";
    return "全部答完：一次答对 " + t.right + "/" + t.total + " 题" + fixedText(t) + (t.right === t.total ? "，全对！" : "。");
  }

  function initQuiz(quiz) {
    var forms = Array.prototype.slice.call(quiz.querySelectorAll("form.quiz-q"));
    var ids = forms.map(function (f) { return f.dataset.qid; });
    var score = quiz.querySelector(".quiz-score");
    function update() { score.textContent = scoreText(tally(ids, load().answers)); }
    var stored = load().answers;
    forms.forEach(function (form) {
      if (stored[form.dataset.qid]) restore(form, stored[form.dataset.qid].a);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var answer = answerOf(form), result = judge(form, answer);
        show(form, answer, result);
        if (result.ok === undefined) return;
        var data = load(), before = data.answers[form.dataset.qid];
        data.answers[form.dataset.qid] = { ok: result.ok, first: before ? firstOk(before) : result.ok, a: answer,
                                           quiz: quiz.dataset.quiz, t: Date.now() };
        save(data);
        update();
      });
    });
    var reset = quiz.querySelector(".quiz-reset");
    if (reset) reset.addEventListener("click", function () {
      var data = load();
      ids.forEach(function (id) { delete data.answers[id]; });
      save(data);
      forms.forEach(clear);
      update();
      score.textContent = "已清空本节的答题记录。" + score.textContent;
      var first = quiz.querySelector("form.quiz-q input");
      if (first) first.focus();
    });
    update();
  }

  // -- progress on the home page's 目录 and on the 自测汇总 page ----------------------------------------------

  function catalog() {
    var el = document.getElementById("quiz-catalog");
    try { return el ? JSON.parse(el.textContent) : null; } catch (e) { return null; }
  }

  function siteBase() {
    try {
      var config = JSON.parse(document.getElementById("__config").textContent);
      return new URL(config.base.replace(/\/?$/, "/"), location.href);
    } catch (e) { return new URL("./", location.href); }
  }

  function samePage(a, b) {
    var norm = function (u) { return u.pathname.replace(/index\.html$/, "").replace(/\.html$/, "/").replace(/\/$/, ""); };
    return a.protocol === b.protocol && a.host === b.host && norm(a) === norm(b);
  }

  function progressText(t) {
    if (!t.done) return "自测：未做（" + t.total + " 题）";
    if (t.done < t.total) return "自测：已答 " + t.done + "/" + t.total + "，一次答对 " + t.right;
    return "自测：一次答对 " + t.right + "/" + t.total + (t.right === t.total ? " ✓" : "");
  }

  function state(t) { return !t.done ? "none" : t.done < t.total ? "partial" : t.right === t.total ? "done" : "answered"; }

  function homeProgress(items) {
    var heading = document.getElementById("目录");
    if (!heading) return;
    var table = null;
    for (var n = heading.nextElementSibling; n && !/^H[12]$/.test(n.tagName); n = n.nextElementSibling) {
      table = n.tagName === "TABLE" ? n : n.querySelector("table");
      if (table) break;
    }
    if (!table) return;
    var base = siteBase(), answers = load().answers;
    var urls = items.map(function (it) { return new URL(it.url || "./", base); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      row.querySelectorAll("a[href]").forEach(function (a) {
        var href = new URL(a.getAttribute("href"), location.href);
        urls.forEach(function (u, i) {
          if (!samePage(u, href) || href.hash) return;
          var cell = a.closest("td");
          if (cell.querySelector(".quiz-badge[data-quiz='" + items[i].key + "']")) return;
          var t = tally(items[i].questions, answers);
          var badge = document.createElement("a");
          badge.className = "quiz-badge";
          badge.dataset.quiz = items[i].key;
          badge.dataset.state = state(t);
          badge.href = a.getAttribute("href").replace(/#.*$/, "") + "#self-check";
          badge.textContent = progressText(t);
          cell.appendChild(document.createTextNode(" "));
          cell.appendChild(badge);
        });
      });
    });
  }

  function summaryProgress(items) {
    var box = document.querySelector(".quiz-summary");
    if (!box) return;
    function fill() {
      var answers = load().answers, all = { done: 0, right: 0, fixed: 0, total: 0 };
      items.forEach(function (it) {
        var t = tally(it.questions, answers);
        all.done += t.done; all.right += t.right; all.fixed += t.fixed; all.total += t.total;
        var row = box.querySelector("tr[data-quiz='" + it.key + "']");
        if (!row) return;
        var cell = row.querySelector(".quiz-summary-progress");
        cell.textContent = progressText(t).replace(/^自测：/, "");
        cell.dataset.state = state(t);
      });
      box.querySelector(".quiz-summary-total").textContent =
        "全部 " + items.length + " 节共 " + all.total + " 题：已答 " + all.done + " 题，一次答对 " + all.right + " 题" +
        fixedText(all) + "。";
    }
    var reset = box.querySelector(".quiz-reset-all");
    if (reset) reset.addEventListener("click", function () {
      save({ answers: {} });
      fill();
      box.querySelector(".quiz-summary-total").textContent = "已清除全部自测记录。" +
        box.querySelector(".quiz-summary-total").textContent;
    });
    fill();
  }

  function init() {
    document.querySelectorAll(".quiz").forEach(initQuiz);
    var items = catalog();
    if (items) { homeProgress(items); summaryProgress(items); }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
