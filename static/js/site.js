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
