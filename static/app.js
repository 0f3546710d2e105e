// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // CSRF token on every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });

  // One-key shortcuts (v, i, r, j, k...): an element with data-key is clicked, or focused if it is a field.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))) {
      if (event.key === "Escape") { target.blur(); }
      return;
    }
    var element = document.querySelector('[data-key="' + (event.key || "").toLowerCase() + '"]');
    if (!element) { return; }
    event.preventDefault();
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName)) { element.focus(); } else { element.click(); }
  });

  // A copy of the form in this browser: a lost connection or a reload before the server saved loses nothing.
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) { return; }
  var done = document.querySelector("[data-clear-autosave]");
  if (done) {
    store.removeItem("draft:new");
    store.removeItem("draft:" + done.getAttribute("data-clear-autosave"));
  }
  var form = document.querySelector("form[data-autosave-key]");
  if (!form) { return; }
  var key = "draft:" + form.getAttribute("data-autosave-key");
  var status = document.getElementById("autosave-status");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "submit_key" &&
        /^(text|date|tel|email|number|textarea|select-one)$/.test(el.type);
    });
  }
  function snapshot(pending) {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.value; });
    try { store.setItem(key, JSON.stringify({ pending: pending, values: values })); } catch (e) { /* full */ }
  }

  var saved = null;
  try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved && saved.pending) {
    var restored = false;
    fields().forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(saved.values, el.name) && el.value !== saved.values[el.name]) {
        el.value = saved.values[el.name];
        restored = true;
      }
    });
    if (restored && status) { status.textContent = form.getAttribute("data-restored-text"); }
  }
  form.addEventListener("input", function () { snapshot(true); });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === status && event.detail.successful) { snapshot(false); }
  });
})();
