/* consult — answering a consultation: enhancements on top of pages that work without JavaScript.
 *  - autosave: the answer form (form[data-autosave-url]) is saved in the background after a short
 *    pause in typing and when the page is hidden or left; "Saved at …" is shown in #save-status.
 *    A save refused because a colleague saved first (409) goes to the conflict page: the server
 *    kept the refused values there, side by side with the newer saved ones.
 *  - conditions: question wrappers ([data-code]) with data-relevant (the condition's JSON AST)
 *    are hidden and shown as answers change, with the same rules as the server's evaluator
 *    (consult/surveys/conditions/evaluator.py); the server decides again at every save.
 *  - ranking: Move up / Move down buttons reorder the items ([data-ranking]) and keep the rank
 *    selects (the way without JavaScript) in step.
 * No inline script (CSP); messages come from data-msg-* attributes set by the server.
 */
(function (global) {
  "use strict";

  /* ---- Conditions: a port of evaluator.py, kept in step by tests/surveys/test_conditions_js.py */

  var EMPTY = { empty: true };
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
  var FLOAT = /^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/;
  var INFINITE = /^([+-]?)inf(inity)?$/i;
  var MAX_EVAL_DEPTH = 200;

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function selection(answer) {
    if (answer === null || answer === undefined || typeof answer === "boolean" || isPlainObject(answer)) {
      return [];
    }
    if (Array.isArray(answer)) {
      return answer.filter(function (a) { return a !== null && a !== undefined; }).map(String);
    }
    var text = String(answer);
    return text !== "" ? [text] : [];
  }

  function value(node, answers) {
    var kind = node.type;
    if (kind === "str" || kind === "num") {
      return node.value;
    }
    var answer = answers[node.code];
    if (kind === "count_selected") {
      return selection(answer).length;
    }
    if (kind === "string_length") {
      return typeof answer === "string" ? Array.from(answer).length : 0;
    }
    if (kind === "ref") {
      if (answer === null || answer === undefined || answer === "" ||
          typeof answer === "boolean" || isPlainObject(answer)) {
        return EMPTY;
      }
      if (Array.isArray(answer)) {
        return answer.length ? answer.map(String).join(" ") : EMPTY;
      }
      if (typeof answer === "number") {
        return answer;
      }
      return String(answer);
    }
    throw new Error("not a value node: " + kind);
  }

  function toNumber(v) {
    if (typeof v === "number") {
      return v;
    }
    if (v.length >= 100) {
      return null;
    }
    var text = v.trim();
    var inf = INFINITE.exec(text);
    if (inf) {
      return inf[1] === "-" ? -Infinity : Infinity;
    }
    return FLOAT.test(text) ? Number(text.replace(/_/g, "")) : null;
  }

  function isEmptySide(v) {
    return v === EMPTY || v === "";
  }

  function compare(op, left, right) {
    var a;
    var b;
    if (left === EMPTY || right === EMPTY) {
      return op === "=" ? isEmptySide(left) && isEmptySide(right) : false;
    }
    if (typeof left === "number" || typeof right === "number") {
      a = toNumber(left);
      b = toNumber(right);
      if (a === null || b === null) {
        return op === "!=";
      }
    } else if (op === "=" || op === "!=" || (ISO_DATE.test(left) && ISO_DATE.test(right))) {
      a = left;
      b = right;
    } else {
      a = toNumber(left);
      b = toNumber(right);
      if (a === null || b === null) {
        return false;
      }
    }
    switch (op) {
      case "=": return a === b;
      case "!=": return a !== b;
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      case ">=": return a >= b;
    }
    throw new Error("not an operator: " + op);
  }

  function truth(node, answers, depth) {
    if (depth > MAX_EVAL_DEPTH) {
      throw new Error("condition nested too deeply");
    }
    switch (node.type) {
      case "and":
        return node.args.every(function (a) { return truth(a, answers, depth + 1); });
      case "or":
        return node.args.some(function (a) { return truth(a, answers, depth + 1); });
      case "not":
        return !truth(node.arg, answers, depth + 1);
      case "selected":
        return selection(answers[node.code]).indexOf(node.option) !== -1;
      case "cmp":
        return compare(node.op, value(node.left, answers), value(node.right, answers));
    }
    throw new Error("not a condition node: " + node.type);
  }

  function evaluate(node, answers) {
    return truth(node, answers || {}, 0);
  }

  var conditions = { evaluate: evaluate };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = conditions;
  }
  global.consultConditions = conditions;
  if (typeof document === "undefined") {
    return;
  }

  /* ---- The page ---- */

  document.documentElement.classList.add("js");
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) {
    return;
  }
  var status = document.getElementById("save-status");

  function msg(name, fallback) {
    return form.getAttribute("data-msg-" + name) || fallback || "";
  }

  function wrappers() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-code]"));
  }

  function fields(wrapper) {
    return Array.prototype.slice.call(wrapper.querySelectorAll("input, select, textarea")).filter(
      function (el) { return el.name && el.type !== "hidden" && el.type !== "submit"; }
    );
  }

  /* The answer in a wrapper, in the answer format of answers_format.py (as far as conditions
   * need it: matrices are dicts and never compared). */
  function answerOf(wrapper) {
    var type = wrapper.getAttribute("data-type") || "";
    var code = wrapper.getAttribute("data-code");
    if (type === "matrix") {
      return {};
    }
    if (type === "ranking") {
      var ranked = [];
      rankingItems(wrapper).forEach(function (item) {
        var select = item.querySelector("select");
        var rank = select ? parseInt(select.value, 10) : NaN;
        if (rank > 0) {
          ranked.push([rank, item.getAttribute("data-value")]);
        }
      });
      ranked.sort(function (x, y) { return x[0] - y[0]; });
      return ranked.map(function (pair) { return pair[1]; });
    }
    // The answer's own inputs are named after the question ("other" texts are code.other).
    var els = fields(wrapper).filter(function (el) { return el.name === code; });
    var checkable = els.filter(function (el) { return el.type === "checkbox" || el.type === "radio"; });
    if (checkable.length) {
      var chosen = checkable.filter(function (el) { return el.checked; }).map(function (el) { return el.value; });
      if (checkable[0].type === "checkbox") {
        return chosen;
      }
      if (!chosen.length) {
        return null;
      }
      var one = chosen[0];
      if (type === "scale" && one !== "dont_know" && toNumber(one) !== null) {
        return toNumber(one);
      }
      return one;
    }
    var el = els[0];
    if (!el || el.value === "") {
      return null;
    }
    if (type === "number" && toNumber(el.value) !== null) {
      return toNumber(el.value);
    }
    return el.value;
  }

  function priorAnswers() {
    try {
      return JSON.parse(form.getAttribute("data-prior-answers") || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  /* Decide relevance in questionnaire order: a hidden question counts as unanswered for the
   * conditions of later ones (validation.relevant_codes). */
  function applyConditions() {
    var seen = priorAnswers();
    wrappers().forEach(function (wrapper) {
      var raw = wrapper.getAttribute("data-relevant");
      var shown = true;
      if (raw) {
        try {
          var ast = JSON.parse(raw);
          shown = ast ? evaluate(ast, seen) : true;
        } catch (e) {
          shown = true; // the server decides; never hide a question by mistake
        }
      }
      if (shown) {
        wrapper.hidden = false;
        wrapper.removeAttribute("aria-hidden");
        var answer = answerOf(wrapper);
        if (answer !== null && !(Array.isArray(answer) && !answer.length)) {
          seen[wrapper.getAttribute("data-code")] = answer;
        }
      } else {
        wrapper.hidden = true;
        wrapper.setAttribute("aria-hidden", "true");
      }
    });
  }

  /* ---- Autosave ---- */

  var url = form.getAttribute("data-autosave-url");
  var versionInput = form.querySelector('input[name="version"]');
  var timer = null;
  var dirty = false;
  var saving = null;
  var PAUSE_MS = parseInt(form.getAttribute("data-autosave-delay") || "1500", 10);

  /* data-save-state on the form: pending, saving, saved, failed or refused (for scripts and
   * tests; people read #save-status). */
  function setState(name) {
    form.setAttribute("data-save-state", name);
  }

  function setStatus(text) {
    if (status && text) {
      status.textContent = text;
    }
  }

  function formBody() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  function save() {
    timer = null;
    if (!dirty) {
      return Promise.resolve();
    }
    if (saving) {
      return saving.then(save);
    }
    dirty = false;
    setStatus(msg("saving", "Saving…"));
    setState("saving");
    saving = fetch(url, {
      method: "POST",
      body: formBody(),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401 || response.status === 409) {
        return response.json().then(function (data) {
          stopped = true;
          setState("refused");
          setStatus((data && data.error) || msg("failed", "Not saved."));
          if (data && data.conflict_url) {
            // The server kept the refused values for the conflict page.
            stopped = true;
            global.location.assign(data.conflict_url);
          }
        });
      }
      if (!response.ok) {
        dirty = true;
        setState("failed");
        setStatus(msg("failed", "Not saved: your answers are still here. Use the Save button."));
        return null;
      }
      return response.json().then(function (data) {
        if (versionInput && data.version !== undefined) {
          versionInput.value = String(data.version);
        }
        setStatus(data.saved_at_text || msg("saved", "Saved"));
        setState(dirty || timer ? "pending" : "saved");
      });
    }).catch(function () {
      dirty = true;
      setState("failed");
      setStatus(msg("failed", "Not saved: your answers are still here. Use the Save button."));
    }).then(function () {
      saving = null;
    });
    return saving;
  }

  var stopped = false;

  function changed() {
    applyConditions();
    if (stopped || !url) {
      return; // the author's preview (no autosave URL) only applies the conditions
    }
    dirty = true;
    setState("pending");
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, PAUSE_MS);
  }

  /* Leaving or hiding the page: send what is unsaved with keepalive (the response, if any, is
   * not read; a conflict is then shown at the next visit). */
  function flush() {
    if (!dirty || stopped || saving) {
      return;
    }
    dirty = false;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    try {
      fetch(url, {
        method: "POST",
        body: formBody(),
        credentials: "same-origin",
        keepalive: true,
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        if (response.ok) {
          return response.json().then(function (data) {
            if (versionInput && data.version !== undefined) {
              versionInput.value = String(data.version);
            }
            setStatus(data.saved_at_text || "");
          });
        }
        dirty = true;
        return null;
      }).catch(function () { dirty = true; });
    } catch (e) {
      dirty = true;
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    // The buttons (Save, Next, Previous) post the form: no background save may race them. A
    // save already on its way is awaited, so the form carries the version it produced.
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (saving && !stopped) {
      event.preventDefault();
      var submitter = event.submitter;
      saving.then(function () {
        stopped = true;
        if (form.requestSubmit) {
          form.requestSubmit(submitter || undefined);
        } else {
          HTMLFormElement.prototype.submit.call(form);
        }
      });
      return;
    }
    stopped = true;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flush();
    }
  });
  global.addEventListener("pagehide", flush);

  /* ---- Ranking: Move up / Move down ---- */

  function rankingItems(list) {
    return Array.prototype.slice.call(list.querySelectorAll("li[data-value]"));
  }

  function itemLabel(item) {
    var label = item.querySelector("label");
    return label ? label.textContent.trim() : item.getAttribute("data-value");
  }

  function rankedCount(list) {
    return rankingItems(list).filter(function (item) {
      var select = item.querySelector("select");
      return select && select.value !== "";
    }).length;
  }

  /* The first `count` items get ranks 1..count in their order; the others stay unranked (a
   * question may allow ranking only some items). */
  function renumber(list, count) {
    rankingItems(list).forEach(function (item, index) {
      var select = item.querySelector("select");
      if (select) {
        select.value = index < count ? String(index + 1) : "";
      }
    });
  }

  function moveItem(item, delta) {
    var list = item.parentNode;
    var items = rankingItems(list);
    var index = items.indexOf(item);
    var target = index + delta;
    if (target < 0 || target >= items.length) {
      return;
    }
    var count = Math.max(rankedCount(list), Math.max(index, target) + 1);
    if (delta < 0) {
      list.insertBefore(item, items[target]);
    } else {
      list.insertBefore(items[target], item);
    }
    renumber(list, count);
    var button = item.querySelector(delta < 0 ? "[data-move-up]" : "[data-move-down]");
    if (button && !button.disabled) {
      button.focus();
    } else {
      var other = item.querySelector(delta < 0 ? "[data-move-down]" : "[data-move-up]");
      if (other) {
        other.focus();
      }
    }
    updateButtons(list);
    var live = list.parentNode.querySelector("[data-rank-status]");
    if (live) {
      var label = itemLabel(item);
      live.textContent = msg("moved", "{0}: position {1} of {2}")
        .replace("{0}", label)
        .replace("{1}", String(rankingItems(list).indexOf(item) + 1))
        .replace("{2}", String(items.length));
    }
    changed();
  }

  function updateButtons(list) {
    var items = rankingItems(list);
    items.forEach(function (item, index) {
      var up = item.querySelector("[data-move-up]");
      var down = item.querySelector("[data-move-down]");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === items.length - 1; }
    });
  }

  function setUpRanking(list) {
    var sorted = rankingItems(list).map(function (item) {
      var select = item.querySelector("select");
      var rank = select ? parseInt(select.value, 10) : NaN;
      return [isNaN(rank) ? Infinity : rank, item];
    });
    // Show the items in the order already saved; unranked items stay at the end.
    sorted.slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (pair) {
      list.appendChild(pair[1]);
    });
    rankingItems(list).forEach(function (item) {
      var controls = document.createElement("span");
      controls.className = "rank-buttons";
      var label = itemLabel(item);
      [["up", msg("move-up", "Move up")], ["down", msg("move-down", "Move down")]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button-small button-secondary";
        button.setAttribute("data-move-" + pair[0], "");
        button.textContent = pair[1];
        button.setAttribute("aria-label", pair[1] + ": " + label);
        button.addEventListener("click", function () { moveItem(item, pair[0] === "up" ? -1 : 1); });
        controls.appendChild(button);
      });
      item.appendChild(controls);
    });
    if (!list.parentNode.querySelector("[data-rank-status]")) {
      var live = document.createElement("p");
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      live.setAttribute("data-rank-status", "");
      list.parentNode.appendChild(live);
    }
    updateButtons(list);
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-ranking]"), function (fieldset) {
    var list = fieldset.querySelector("ol, ul");
    if (list && !fieldset.querySelector("select[disabled]")) {
      setUpRanking(list);
    }
  });
  applyConditions();
})(typeof window !== "undefined" ? window : globalThis);
