// Progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Contact addresses are printed as "name [at] host" with reversed parts in data attributes
  // (see course/templatetags/coursesite.py); readers with JavaScript get a mailto link.
  document.querySelectorAll(".js-contact").forEach(function (element) {
    var reverse = function (text) { return text.split("").reverse().join(""); };
    var address = reverse(element.dataset.u) + "@" + reverse(element.dataset.d);
    var link = document.createElement("a");
    link.href = "mailto:" + address;
    link.textContent = address;
    element.replaceWith(link);
  });
})();

// Register page: "Everyone not yet marked" buttons set the students without a choice.
(function () {
  "use strict";
  document.querySelectorAll("[data-set-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.dataset.setAll;
      var form = button.closest("form");
      var names = new Set();
      form.querySelectorAll("input[type=radio][name^='status-']").forEach(function (radio) {
        names.add(radio.name);
      });
      names.forEach(function (name) {
        if (!form.querySelector("input[name='" + name + "']:checked")) {
          var target = form.querySelector("input[name='" + name + "'][value='" + value + "']");
          if (target) { target.checked = true; }
        }
      });
    });
  });
})();

// Lectures page: ticking a part as watched updates the button in place.
(function () {
  "use strict";
  document.querySelectorAll("form.js-watched").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var flag = form.querySelector("input[name=watched]");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        // A redirect (to the log-in page) or an error: let the page show what happened.
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || !json) { window.location.reload(); return; }
        if (!response.ok) {
          response.json().then(function (data) { window.alert(data.error || form.dataset.notSaved); });
          return;
        }
        var done = flag.value === "1";
        flag.value = done ? "0" : "1";
        button.classList.toggle("btn-success", done);
        button.classList.toggle("btn-outline-secondary", !done);
        button.setAttribute("aria-pressed", done ? "true" : "false");
        button.title = done ? button.dataset.titleWatched : button.dataset.titleUnwatched;
        var label = button.textContent.replace(/^✓ /, "");
        button.textContent = (done ? "✓ " : "") + label;
      }).catch(function () { window.location.reload(); });
    });
  });
})();

// Forms shown again with their errors: the error summary takes the focus, so that screen
// readers read it and keyboard users start there; its links move the focus to their field.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[tabindex]");
  if (!summary) { return; }
  summary.focus();
  summary.querySelectorAll("a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });
})();
