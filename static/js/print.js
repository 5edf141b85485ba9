// The "Skriv ut" button of a printable page (the receipt): hidden without JavaScript, since
// only a script can open the browser's print dialogue; the browser's own menu prints the same.
(function () {
  "use strict";
  var actions = document.querySelectorAll("[data-print]");
  Array.prototype.forEach.call(actions, function (action) {
    var button = action.querySelector("button");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      window.print();
    });
    action.hidden = false;
  });
})();
