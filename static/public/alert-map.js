/* Progressive enhancement: the page reads fully without this. Shows the last-seen point and a
   circle of the alert's CAP radius on a Leaflet map when Leaflet and the tiles are reachable. */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("alert-map");
    if (!el || typeof window.L === "undefined") { return; }
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) { return; }
    el.hidden = false;
    var map = window.L.map(el, { scrollWheelZoom: false }).setView([lat, lon], 9);
    window.L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution }).addTo(map);
    var radius = parseFloat(el.dataset.radiusKm) * 1000;
    var circle = window.L.circle([lat, lon], { radius: radius, color: "#0b3d91", weight: 2, fillOpacity: 0.08 }).addTo(map);
    window.L.circleMarker([lat, lon], { radius: 9, color: "#b00020", weight: 3, fillColor: "#b00020", fillOpacity: 0.9 })
      .addTo(map).bindTooltip(el.dataset.label, { permanent: false });
    map.fitBounds(circle.getBounds(), { padding: [10, 10] });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
