// Mentor allocation: a "tick every row" box in each table header (the page works without it).
document.querySelectorAll(".js-tick-all").forEach(function (all) {
  var table = all.closest("table");
  var boxes = table.querySelectorAll("tbody input[type=checkbox]");
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) {
      box.checked = all.checked;
    });
  });
});
