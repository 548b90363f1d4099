// "Use my position" on the location page: shown only when the browser can tell, it fills the
// form from navigator.geolocation (with its accuracy) and marks the source as the browser. The
// applicant still presses Send; nothing is sent or kept by this script. The form works without it.
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("use-position");
    var form = document.getElementById("location-form");
    if (!button || !form || !("geolocation" in navigator)) {
      return;
    }
    var place = document.getElementById("location-place");
    var accuracy = document.getElementById("location-accuracy");
    var source = document.getElementById("location-source");
    var notice = document.getElementById("notice");
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var c = position.coords;
          place.value = c.latitude.toFixed(6) + ", " + c.longitude.toFixed(6);
          accuracy.value = Math.max(1, Math.ceil(c.accuracy));
          source.value = "browser";
          button.disabled = false;
        },
        function () {
          if (notice) {
            notice.textContent = form.getAttribute("data-msg-failed") || "";
          }
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
      );
    });
    // Typing by hand makes it the applicant's own words again.
    place.addEventListener("input", function () {
      source.value = "applicant_typed";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
