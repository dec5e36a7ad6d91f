// Registration form: show only the chosen state's counties (the select lists them grouped by state).
(function () {
  "use strict";
  var state = document.getElementById("id_state");
  var county = document.getElementById("id_county");
  if (!state || !county) { return; }
  function filter() {
    var chosen = state.selectedIndex > 0 ? state.options[state.selectedIndex].text : "";
    var groups = county.getElementsByTagName("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var show = groups[i].label === chosen;
      groups[i].hidden = !show;
      groups[i].disabled = !show;
    }
    var selected = county.options[county.selectedIndex];
    if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) {
      county.value = "";
    }
  }
  state.addEventListener("change", filter);
  filter();
})();
