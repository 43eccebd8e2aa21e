/* consult — questionnaire builder enhancements. Everything here also works without JavaScript:
 *  - drag to reorder ([data-sortable] lists of items with data-move-url): with a pointer on the
 *    handle, or from the keyboard (focus the handle, Space, arrow keys, Space; Escape cancels).
 *    The Up/Down buttons stay: they are the way without JavaScript.
 *  - in-place editing of a question's text ([data-inline-label]): posts to the question's edit
 *    page with part=label; on any unexpected failure the browser goes to the full form.
 *  - the condition of a question is checked as it is typed (the form's "Check the condition"
 *    button, sent in the background); the button stays.
 * Messages come from #builder-messages (translated by the server). No inline script (CSP).
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");
  var messagesEl = document.getElementById("builder-messages");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  if (!messagesEl || !csrfMeta || !window.fetch) {
    return;
  }
  var csrf = csrfMeta.getAttribute("content");

  function msg(name) {
    var text = messagesEl.getAttribute("data-" + name) || "";
    for (var i = 1; i < arguments.length; i += 1) {
      text = text.replace("{" + (i - 1) + "}", String(arguments[i]));
    }
    return text;
  }

  var live = document.createElement("div");
  live.className = "live-region";
  live.setAttribute("aria-live", "assertive");
  live.setAttribute("role", "status");
  document.body.appendChild(live);

  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 60);
  }

  function post(url, fields) {
    var body = new FormData();
    body.append("csrf_token", csrf);
    Object.keys(fields).forEach(function (key) {
      body.append(key, fields[key]);
    });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    }).then(function (response) {
      return response.json().then(
        function (data) {
          return { status: response.status, data: data };
        },
        function () {
          return { status: response.status, data: null };
        }
      );
    });
  }

  /* ---------------------------------------------------------------- reordering */

  var ITEM = "li[data-move-url]";
  var state = null; // {item, handle, originList, originNext, keyboard}

  function itemsOf(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.matches(ITEM);
    });
  }

  function listsOf(group) {
    return Array.prototype.slice.call(
      document.querySelectorAll('[data-sortable="' + group + '"]')
    );
  }

  function nameOf(item) {
    return item.getAttribute("data-item-name") || "";
  }

  function placeText(item) {
    var list = item.parentNode;
    var items = itemsOf(list);
    var text = msg("position", items.indexOf(item) + 1, items.length);
    var label = list.getAttribute("aria-label");
    return label ? text + " · " + label : text;
  }

  function refreshButtons(group) {
    var all = [];
    listsOf(group).forEach(function (list) {
      all = all.concat(itemsOf(list));
    });
    all.forEach(function (item, index) {
      var up = item.querySelector('input[name="direction"][value="up"]');
      var down = item.querySelector('input[name="direction"][value="down"]');
      if (up) {
        up.form.querySelector("button").disabled = index === 0;
      }
      if (down) {
        down.form.querySelector("button").disabled = index === all.length - 1;
      }
    });
    listsOf(group).forEach(function (list) {
      list.classList.toggle("is-empty", itemsOf(list).length === 0);
    });
  }

  function revert(s) {
    s.originList.insertBefore(s.item, s.originNext);
    refreshButtons(s.originList.getAttribute("data-sortable"));
  }

  function finish(commit) {
    var s = state;
    if (!s) {
      return;
    }
    state = null;
    s.item.classList.remove("is-dragging");
    s.handle.setAttribute("aria-pressed", "false");
    root.classList.remove("sorting");
    var list = s.item.parentNode;
    var moved = !(list === s.originList && s.item.nextSibling === s.originNext);
    if (!commit || !moved) {
      if (moved) {
        revert(s);
      }
      if (s.keyboard) {
        s.handle.focus();
        announce(msg("cancelled"));
      }
      return;
    }
    var fields = { position: itemsOf(list).indexOf(s.item) };
    if (list.getAttribute("data-section-id")) {
      fields.section = list.getAttribute("data-section-id");
    }
    var group = list.getAttribute("data-sortable");
    refreshButtons(group);
    s.handle.focus();
    post(s.item.getAttribute("data-move-url"), fields)
      .then(function (result) {
        if (result.data && result.data.ok) {
          announce(msg("dropped", nameOf(s.item), placeText(s.item)));
        } else {
          revert(s);
          s.handle.focus();
          announce(msg("refused", (result.data && result.data.message) || ""));
          showError(s.item, (result.data && result.data.message) || msg("failed"));
        }
      })
      .catch(function () {
        revert(s);
        announce(msg("failed"));
        showError(s.item, msg("failed"));
      });
  }

  function showError(item, text) {
    var old = item.querySelector(".inline-edit-message");
    if (old) {
      old.remove();
    }
    var p = document.createElement("p");
    p.className = "inline-edit-message";
    p.textContent = text;
    item.appendChild(p);
  }

  function start(item, handle, keyboard) {
    if (state) {
      finish(true);
    }
    state = {
      item: item,
      handle: handle,
      originList: item.parentNode,
      originNext: item.nextSibling,
      keyboard: keyboard,
    };
    item.classList.add("is-dragging");
    handle.setAttribute("aria-pressed", "true");
    root.classList.add("sorting");
    var old = item.querySelector(".inline-edit-message");
    if (old) {
      old.remove();
    }
    if (keyboard) {
      announce(msg("picked", nameOf(item), placeText(item)));
    }
  }

  function step(direction) {
    var item = state.item;
    var list = item.parentNode;
    var items = itemsOf(list);
    var index = items.indexOf(item);
    var lists = listsOf(list.getAttribute("data-sortable"));
    var listIndex = lists.indexOf(list);
    if (direction < 0) {
      if (index > 0) {
        list.insertBefore(item, items[index - 1]);
      } else if (listIndex > 0) {
        lists[listIndex - 1].appendChild(item);
      } else {
        return;
      }
    } else if (index < items.length - 1) {
      list.insertBefore(item, items[index + 1].nextSibling);
    } else if (listIndex < lists.length - 1) {
      var next = lists[listIndex + 1];
      next.insertBefore(item, itemsOf(next)[0] || null);
    } else {
      return;
    }
    state.handle.focus();
    announce(placeText(item));
  }

  function addHandle(item) {
    var handle = document.createElement("button");
    handle.type = "button";
    handle.className = "drag-handle";
    handle.setAttribute("aria-pressed", "false");
    handle.setAttribute("aria-describedby", "builder-drag-help");
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "⠿";
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = msg("handle", nameOf(item));
    handle.appendChild(icon);
    handle.appendChild(label);
    item.insertBefore(handle, item.firstChild);

    handle.addEventListener("keydown", function (event) {
      var key = event.key;
      if (!state || state.item !== item) {
        if (key === " " || key === "Enter") {
          event.preventDefault();
          start(item, handle, true);
        }
        return;
      }
      if (key === "ArrowUp" || key === "ArrowLeft") {
        event.preventDefault();
        step(-1);
      } else if (key === "ArrowDown" || key === "ArrowRight") {
        event.preventDefault();
        step(1);
      } else if (key === " " || key === "Enter") {
        event.preventDefault();
        finish(true);
      } else if (key === "Escape") {
        event.preventDefault();
        finish(false);
      } else if (key === "Tab") {
        finish(true);
      }
    });

    handle.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) {
        return;
      }
      event.preventDefault();
      start(item, handle, false);
      // Moving the item in the page ends any pointer capture, so follow the pointer on the
      // whole document until it is released.
      document.addEventListener("pointermove", onPointerMove);
      document.addEventListener("pointerup", onPointerUp);
      document.addEventListener("pointercancel", onPointerCancel);
    });
  }

  function stopFollowing() {
    document.removeEventListener("pointermove", onPointerMove);
    document.removeEventListener("pointerup", onPointerUp);
    document.removeEventListener("pointercancel", onPointerCancel);
  }

  function onPointerMove(event) {
    if (!state || state.keyboard) {
      return;
    }
    var item = state.item;
    var lists = listsOf(state.originList.getAttribute("data-sortable"));
    var under = document.elementFromPoint(event.clientX, event.clientY);
    if (!under) {
      return;
    }
    var over = under.closest(ITEM);
    if (over && over !== item && lists.indexOf(over.parentNode) !== -1) {
      var box = over.getBoundingClientRect();
      var reference = event.clientY < box.top + box.height / 2 ? over : over.nextSibling;
      if (reference !== item && item.nextSibling !== reference) {
        over.parentNode.insertBefore(item, reference);
      }
      return;
    }
    var list = under.closest("[data-sortable]");
    if (list && lists.indexOf(list) !== -1 && itemsOf(list).length === 0) {
      list.appendChild(item);
    }
  }

  function onPointerUp() {
    stopFollowing();
    if (state && !state.keyboard) {
      finish(true);
    }
  }

  function onPointerCancel() {
    stopFollowing();
    if (state && !state.keyboard) {
      finish(false);
    }
  }

  document.querySelectorAll("[data-sortable]").forEach(function (list) {
    itemsOf(list).forEach(addHandle);
  });

  /* ---------------------------------------------------------- in-place editing */

  var inlineCount = 0;

  function openInline(el, button) {
    inlineCount += 1;
    var id = "inline-edit-" + inlineCount;
    var url = el.getAttribute("data-edit-url");
    var language = el.getAttribute("data-language");
    var form = document.createElement("form");
    form.className = "inline-edit";
    form.method = "post";
    form.action = url;
    form.noValidate = true;
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.className = "visually-hidden";
    label.textContent = msg("field", nameOf(el), language);
    var input = document.createElement("input");
    input.type = "text";
    input.id = id;
    input.name = "text";
    input.lang = language;
    input.value = el.getAttribute("data-text") || "";
    var hidden = { csrf_token: csrf, part: "label", language: language };
    Object.keys(hidden).forEach(function (name) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = hidden[name];
      form.appendChild(field);
    });
    var save = document.createElement("button");
    save.type = "submit";
    save.className = "button button-small";
    save.textContent = msg("save");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button-small button-secondary";
    cancel.textContent = msg("cancel");
    var message = document.createElement("p");
    message.className = "inline-edit-message";
    message.id = id + "-error";
    message.hidden = true;
    [label, input, save, cancel, message].forEach(function (child) {
      form.appendChild(child);
    });
    el.hidden = true;
    button.hidden = true;
    el.parentNode.insertBefore(form, el.nextSibling);
    input.focus();
    input.select();

    function close(text) {
      if (text !== undefined) {
        el.textContent = text || msg("empty");
        el.setAttribute("data-text", text);
      }
      form.remove();
      el.hidden = false;
      button.hidden = false;
      button.focus();
    }
    cancel.addEventListener("click", function () {
      close();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save.disabled = true;
      post(url, { part: "label", language: language, text: input.value })
        .then(function (result) {
          save.disabled = false;
          if (result.data && result.data.ok) {
            close(result.data.text);
            announce(msg("saved"));
          } else if (result.status === 422 && result.data) {
            message.textContent = result.data.message;
            message.hidden = false;
            input.setAttribute("aria-invalid", "true");
            input.setAttribute("aria-describedby", message.id);
            input.focus();
          } else {
            window.location.href = url;
          }
        })
        .catch(function () {
          window.location.href = url;
        });
    });
  }

  /* ------------------------------------------------------- condition checking */

  var relevant = document.querySelector("#question-form #relevant");
  if (relevant) {
    var timer = null;
    var latest = 0;
    var feedback = document.getElementById("relevant-feedback");
    var ensureFeedback = function () {
      if (!feedback) {
        feedback = document.createElement("div");
        feedback.id = "relevant-feedback";
        feedback.className = "condition-feedback";
        feedback.setAttribute("role", "status");
        relevant.closest(".field").after(feedback);
      }
      var described = (relevant.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(feedback.id) === -1) {
        described.push(feedback.id);
        relevant.setAttribute("aria-describedby", described.join(" ").trim());
      }
      return feedback;
    };
    var show = function (data) {
      var box = ensureFeedback();
      box.textContent = "";
      box.classList.toggle("condition-ok", !!data.ok);
      if (data.ok) {
        var p = document.createElement("p");
        p.textContent = data.message;
        box.appendChild(p);
        return;
      }
      data.problems.forEach(function (problem) {
        var where = document.createElement("p");
        where.className = "condition-where";
        var code = document.createElement("code");
        var mark = document.createElement("mark");
        mark.textContent = problem.mark || "␣";
        code.appendChild(document.createTextNode(problem.before));
        code.appendChild(mark);
        code.appendChild(document.createTextNode(problem.after));
        where.appendChild(code);
        var message = document.createElement("p");
        message.textContent = problem.message;
        box.appendChild(where);
        box.appendChild(message);
      });
    };
    var check = function () {
      var form = relevant.form;
      var fields = {};
      new FormData(form).forEach(function (value, key) {
        if (typeof value === "string" && key !== "csrf_token") {
          fields[key] = value;
        }
      });
      fields.action = "check";
      latest += 1;
      var mine = latest;
      post(form.getAttribute("action") || window.location.href, fields)
        .then(function (result) {
          if (mine === latest && result.data && result.status === 200) {
            show(result.data);
          }
        })
        .catch(function () {});
    };
    relevant.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 600);
    });
  }

  document.querySelectorAll("[data-inline-label]").forEach(function (el) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary inline-edit-button";
    button.textContent = msg("edit");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + nameOf(el);
    button.appendChild(hidden);
    el.parentNode.insertBefore(button, el.nextSibling);
    button.addEventListener("click", function () {
      openInline(el, button);
    });
  });
})();
