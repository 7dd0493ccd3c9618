// Check-in from a phone: the room's QR code opens the check-in page with the code filled in
// (?code=...); the form then sends itself, as if the student had pressed "Check in". It
// posts to the page's address without the code, so it is sent once. Without JavaScript the
// student presses the button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }
})();
