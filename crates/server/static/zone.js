// Fills empty time-zone fields marked data-zone with the zone the browser
// runs in, so "today" is the runner's day from sign-up on. Without
// JavaScript the field stays empty and Settings asks for it.
(function () {
  'use strict';
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone || zone.indexOf('/') < 0) return;
  document.querySelectorAll('input[data-zone]').forEach(function (input) {
    if (!input.value) input.value = zone;
  });
})();
