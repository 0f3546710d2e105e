// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // CSRF token on every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });

  // Keyboard triage (review item, pairwise round, queue): see keyboardTriage.
  keyboardTriage();

  // One key, then Enter, decides. A key acts on the element marked data-key="<key>": a button or link is
  // clicked, a field is focused (a list reached this way shows its first choice, so Enter decides with it).
  // Enter in a list marked data-enter-decides="<word>" presses its form's button name="decision" value="<word>";
  // if every field named in data-enter-needs is still empty, the first of them gets the focus instead. Keys typed
  // into a field stay the field's (Escape leaves it). No eval, no inline handlers: CSP and htmx allowEval=false.
  function keyboardTriage() {
    function isField(element) {
      return element.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(element.tagName);
    }
    function decideFrom(list) {
      var form = list.form;
      var word = list.getAttribute("data-enter-decides");
      var button = form && form.querySelector('button[name="decision"][value="' + word + '"]');
      if (!button) { return false; }
      var needs = (list.getAttribute("data-enter-needs") || "").split(" ").filter(Boolean).map(function (name) {
        return form.elements.namedItem(name);
      }).filter(Boolean);
      var filled = needs.length === 0 || needs.some(function (field) { return field.value.trim() !== ""; });
      if (!filled) { needs[0].focus(); return true; }
      list.blur();  // else htmx would focus the next item's list of the same id, and its keys would go there
      button.click();
      return true;
    }
    function firstChoice(list) {
      if (list.value !== "") { return; }
      for (var n = 0; n < list.options.length; n += 1) {
        if (list.options[n].value !== "") { list.selectedIndex = n; return; }
      }
    }
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.defaultPrevented) { return; }
      var target = event.target;
      if (target && target.nodeType === 1 && isField(target)) {
        if (event.key === "Escape") {
          target.blur();
        } else if (event.key === "Enter" && target.tagName === "SELECT" && target.hasAttribute("data-enter-decides")
                   && decideFrom(target)) {
          event.preventDefault();
        }
        return;
      }
      var key = (event.key || "").toLowerCase();
      if (!/^[a-z0-9]$/.test(key)) { return; }
      var element = document.querySelector('[data-key="' + key + '"]');
      if (!element) { return; }
      event.preventDefault();
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName)) {
        element.focus();
        if (element.tagName === "SELECT") { firstChoice(element); }
      } else {
        element.click();
      }
    });
  }

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
