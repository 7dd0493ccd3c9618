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
