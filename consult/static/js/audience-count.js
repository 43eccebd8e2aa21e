// Live count of the authorities matching the audience criteria, as checkboxes change.
// Without JavaScript the "Update the count" button does the same on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-count-url]");
  var output = document.getElementById("audience-count");
  if (!form || !output || !window.fetch || !window.URLSearchParams) return;
  var pending = null;
  var latest = 0;

  function query() {
    var params = new URLSearchParams();
    var boxes = form.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) params.append(boxes[i].name, boxes[i].value);
    }
    return params.toString();
  }

  function update() {
    var ticket = ++latest;
    fetch(form.getAttribute("data-count-url") + "?" + query(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && ticket === latest) output.textContent = data.message;
      })
      .catch(function () { /* the button still works */ });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
  update();
})();
