/* Drafting form: live character counters for channel texts, their preview, and "add a row" for
   the suspect and vehicle formsets. The server is the authority; this only helps while typing.
   WEA texts are counted in GSM 7-bit septets, as a handset counts them. */
(function () {
  "use strict";
  // The GSM 7-bit tables and the typographic replacements come from the server's own module
  // (alerts/gsm7.py, rendered into data-gsm7), so the counter and the server never disagree.
  var holder = document.querySelector("[data-gsm7]");
  var TABLES = holder ? JSON.parse(holder.getAttribute("data-gsm7")) : { basic: "", extension: "", typographic: {} };
  var BASIC = TABLES.basic, EXT = TABLES.extension, TYPO = TABLES.typographic;

  function plain(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      out += Object.prototype.hasOwnProperty.call(TYPO, ch) ? TYPO[ch] : ch;
    }
    return out;
  }

  function gsm(text) {
    var length = 0, bad = [];
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (BASIC.indexOf(ch) >= 0) { length += 1; }
      else if (EXT.indexOf(ch) >= 0) { length += 2; }
      else { length += 1; if (bad.indexOf(ch) < 0) { bad.push(ch); } }
    }
    return { length: length, bad: bad };
  }

  function update(input) {
    var counter = document.querySelector('[data-counter-for="' + input.id + '"]');
    var preview = document.querySelector('[data-preview="' + input.id + '"]');
    var value = plain(input.value.trim());
    var limit = parseInt(input.getAttribute("data-limit") || "0", 10);
    var eas = parseInt(input.getAttribute("data-eas") || "0", 10);
    if (counter) {
      var over = false, text;
      if (eas) {
        var words = value ? value.split(/\s+/).length : 0;
        var seconds = Math.round(words * 60 / 150);
        over = seconds > eas;
        text = words + " words, about " + seconds + " s to read (limit " + eas + " s)";
      } else if (input.hasAttribute("data-gsm")) {
        var g = gsm(value);
        over = g.length > limit || g.bad.length > 0;
        text = g.length + " / " + limit;
        if (g.bad.length) { text += " · not allowed: " + g.bad.join(" "); }
      } else {
        over = limit && value.length > limit;
        text = value.length + " / " + limit;
      }
      counter.textContent = text;
      counter.classList.toggle("over", !!over);
      input.classList.toggle("over", !!over);
    }
    if (preview) { preview.textContent = value; }
  }

  var inputs = document.querySelectorAll("[data-limit], [data-eas]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("input", function () { update(input); });
    update(input);
  });

  // Formsets: clone the empty form, replacing __prefix__ with the next index.
  Array.prototype.forEach.call(document.querySelectorAll("button.add-row"), function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-prefix");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = document.getElementById(prefix + "-empty");
      var rows = document.getElementById(prefix + "-rows");
      if (!total || !template || !rows) { return; }
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
