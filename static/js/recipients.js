// Choosing a round's recipients (templates/rounds/recipients.html), progressive enhancement only:
// without this file every organisation is listed, and "Välj hela gruppen" submits the page, which
// comes back from the server with the group ticked. With it:
// - a filter box hides the organisations that do not match and says how many are shown;
// - "Välj hela gruppen" ticks the group in the page (nothing is saved until "Spara");
// - the list of chosen ones ("Valda: 6 remissinstanser") follows every tick.
// What changes is announced through one polite live region.
(function () {
  "use strict";
  var form = document.querySelector("[data-recipient-picker]");
  if (!form) {
    return;
  }
  var announcement = document.querySelector("[data-recipient-announcement]");
  var filterBox = document.querySelector("[data-recipient-filter]");
  var filterInput = filterBox && filterBox.querySelector("input");
  var filterEmpty = form.querySelector("[data-filter-empty]");
  var chosenCount = form.querySelector("[data-chosen-count]");
  var chosenList = form.querySelector("[data-chosen-list]");
  var chosenNone = form.querySelector("[data-chosen-none]");
  var groups = Array.prototype.slice.call(form.querySelectorAll("[data-recipient-group]"));
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-recipient]"));

  function bodies(count) {
    return count + (count === 1 ? " remissinstans" : " remissinstanser");
  }

  function organisations(count) {
    return count + (count === 1 ? " organisation" : " organisationer");
  }

  var announceTimer = null;
  function announce(text) {
    // Cleared first, so that the same sentence twice is read twice.
    window.clearTimeout(announceTimer);
    announcement.textContent = "";
    announceTimer = window.setTimeout(function () {
      announcement.textContent = text;
    }, 100);
  }

  function boxes(scope) {
    return Array.prototype.slice.call(scope.querySelectorAll('input[type="checkbox"]'));
  }

  function showChosen() {
    var chosen = boxes(form).filter(function (box) { return box.checked; });
    var names = chosen.map(function (box) { return box.getAttribute("data-name"); });
    names.sort(function (a, b) { return a.localeCompare(b, "sv"); });
    chosenCount.textContent = bodies(names.length);
    while (chosenList.firstChild) {
      chosenList.removeChild(chosenList.firstChild);
    }
    names.forEach(function (name) {
      var item = document.createElement("li");
      item.textContent = name;
      chosenList.appendChild(item);
    });
    chosenNone.hidden = names.length > 0;
    return names.length;
  }

  // Ticking one box: the chosen list follows, and the new count is said.
  form.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") {
      announce("Valda: " + bodies(showChosen()) + ".");
    }
  });

  // "Välj hela gruppen": tick every box of the group that can be ticked, here in the page.
  groups.forEach(function (group) {
    var button = group.querySelector("[data-select-group]");
    if (!button) {
      return;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var ticked = 0;
      boxes(group).forEach(function (box) {
        if (!box.disabled && !box.checked) {
          box.checked = true;
          ticked += 1;
        }
      });
      var name = group.getAttribute("data-group-name");
      var count = showChosen();
      announce(
        (ticked ? "Hela gruppen " + name + " är markerad, " + organisations(ticked) + " till."
                : "Alla i gruppen " + name + " var redan markerade.") +
        " Valda: " + bodies(count) + ". Spara för att lägga till dem."
      );
    });
  });

  // The filter box.
  if (filterBox && filterInput) {
    filterBox.hidden = false;
    var filterTimer = null;
    var filter = function () {
      var words = filterInput.value.toLocaleLowerCase("sv").split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-search") || "";
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-recipient]:not([hidden])");
      });
      filterEmpty.hidden = shown > 0;
      window.clearTimeout(filterTimer);
      filterTimer = window.setTimeout(function () {
        announce(words.length
          ? "Visar " + shown + " av " + organisations(rows.length) + "."
          : "Visar alla " + organisations(rows.length) + ".");
      }, 400);
    };
    filterInput.addEventListener("input", filter);
    // The box is outside the form; Enter there must not do anything surprising.
    filterInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }
})();
