// Sign-up and preferences: show only the counties of the states chosen.
(function () {
  "use strict";
  var states = document.querySelector("select.states-select");
  var counties = document.querySelector("select.counties-select");
  if (!states || !counties) { return; }
  function update() {
    var chosen = Array.prototype.filter.call(states.options, function (o) { return o.selected; })
      .map(function (o) { return o.text; });
    Array.prototype.forEach.call(counties.querySelectorAll("optgroup"), function (group) {
      var visible = chosen.indexOf(group.label) !== -1;
      group.hidden = !visible;
      group.disabled = !visible;
    });
  }
  states.addEventListener("change", update);
  update();
}());
