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
})();

// Drafts (issue 11): nothing typed is lost or leaks on a shared phone or a dropping link.
// A copy of the form stays in this browser until the server has it, under "draft:<account>:<initiative id>" (or
// "draft:<account>:new:<submit key>" before the first save): it is only ever restored into the same account's
// same draft. Logout clears the account's copies and the cached form page. Pending changes are sent when typing
// pauses, when the connection returns, when the page is hidden or closed (keepalive), and from any later page.
(function () {
  "use strict";
  var body = document.body;
  if (!body || !window.fetch || !window.FormData) { return; }
  var account = body.getAttribute("data-account") || "";
  var PAGES = "pages";  // the service worker's cache of this account's new-initiative form (static/sw.js)
  var store = null;
  try { store = window.localStorage; store.getItem("draft-account"); } catch (e) { store = null; }

  function noop() {}
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  function prefix(who) { return "draft:" + who + ":"; }
  function nameOf(id, key) { return prefix(account) + (id ? String(id) : "new:" + key); }
  function read(name) {
    try { return JSON.parse(store.getItem(name) || "null"); } catch (e) { return null; }
  }
  function write(name, copy) {
    try { store.setItem(name, JSON.stringify(copy)); } catch (e) { /* full: the server copy still counts */ }
  }
  function remove(name) { try { store.removeItem(name); } catch (e) { /* nothing to do */ } }
  function names(test) {
    var out = [];
    for (var i = 0; store && i < store.length; i++) {
      var name = store.key(i);
      if (name && test(name)) { out.push(name); }
    }
    return out;
  }
  function dropPages() {
    return window.caches ? window.caches.delete(PAGES).catch(noop) : Promise.resolve();
  }
  function forget(who) {  // every copy of one account, and the form page cached for it
    names(function (name) { return name.indexOf(prefix(who)) === 0; }).forEach(remove);
    return dropPages();
  }

  // Send one copy to its autosave URL; resolves with what the server said ({state, id, url, edit, html}).
  function send(copy, keepalive) {
    var data = new FormData();
    Object.keys(copy.values || {}).forEach(function (field) {
      var value = copy.values[field];  // a list: the ticked boxes of a group ("" says none is ticked)
      (Array.isArray(value) ? (value.length ? value : [""]) : [value]).forEach(function (one) {
        data.append(field, one);
      });
    });
    data.append("submit_key", copy.key || "");
    return fetch(copy.url, {
      method: "POST", body: data, credentials: "same-origin", keepalive: !!keepalive, redirect: "manual",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" }
    }).then(function (response) {
      if (!response.ok) { return { state: "failed", status: response.status }; }
      return response.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var mark = holder.querySelector("[data-draft-state]");
        if (!mark) { return { state: "failed" }; }
        return { state: mark.getAttribute("data-draft-state"), id: mark.getAttribute("data-draft-id"),
                 url: mark.getAttribute("data-autosave-url"), edit: mark.getAttribute("data-edit-url"), html: html };
      });
    });
  }
  function sendable(copy) {
    return copy && copy.pending && copy.account === account && typeof copy.url === "string" &&
      /^\/initiatives\/(\d+\/)?autosave$/.test(copy.url);
  }

  // Copies of this account from other pages (closed offline, or in the last seconds): send them now.
  var current = null;  // the name of the copy the form on this page owns
  function syncOthers() {
    if (!store || !account || navigator.onLine === false) { return Promise.resolve(); }
    return Promise.all(names(function (name) {
      return name.indexOf(prefix(account)) === 0 && name !== current;
    }).map(function (name) {
      var copy = read(name);
      if (!sendable(copy)) { return null; }
      return send(copy, false).then(function (result) {
        var now = read(name);
        if ((result.state === "saved" || result.state === "locked") && now && now.at === copy.at) { remove(name); }
      }, noop);
    }));
  }

  if (store) {
    // Copies of earlier versions of this script belong to nobody ("draft:new", "draft:<key>"): never restored.
    names(function (name) { return /^draft:[^:]*$/.test(name); }).forEach(remove);
    var previous = store.getItem("draft-account");
    var cleared = previous === account ? Promise.resolve() : dropPages();
    try { store.setItem("draft-account", account); } catch (e) { /* nothing to do */ }
  }

  // Logout: send what is pending, then clear this account's copies and cached page before the session ends.
  var logoutUrl = body.getAttribute("data-logout-url");
  var flushCurrent = function () { return Promise.resolve(); };
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (!store || !account || !logoutUrl || !target || target.getAttribute("action") !== logoutUrl ||
        navigator.onLine === false) { return; }  // offline the logout cannot reach the server: keep everything
    event.preventDefault();
    var who = account, done = false;
    var leave = function () {
      if (done) { return; }
      done = true;
      forget(who).then(function () { HTMLFormElement.prototype.submit.call(target); });
    };
    Promise.all([flushCurrent(), syncOthers()]).then(leave, leave);
    setTimeout(leave, 3000);
  }, true);

  // After a sign-in: the new-initiative form is cached for this account, so it opens with no signal.
  var formUrl = body.getAttribute("data-new-form");
  if ("serviceWorker" in navigator && body.getAttribute("data-sw")) {
    navigator.serviceWorker.register(body.getAttribute("data-sw")).catch(noop);
    if (account && formUrl && window.caches && document.querySelector('a[href="' + formUrl + '"]')) {
      (cleared || Promise.resolve()).then(function () { return window.caches.open(PAGES); }).then(function (cache) {
        return cache.match(formUrl, { ignoreVary: true }).then(function (hit) {
          if (hit) { return null; }
          return fetch(formUrl, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
            var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
            if (response.ok && html && !response.redirected && account === body.getAttribute("data-account")) {
              return cache.put(formUrl, response);
            }
            return null;
          });
        });
      }).catch(noop);
    }
  }

  // A page saying the initiative left draft (submitted, withdrawn): its copies have nothing left to send.
  Array.prototype.forEach.call(document.querySelectorAll("[data-clear-draft]"), function (el) {
    remove(nameOf(el.getAttribute("data-clear-draft"), ""));
    remove(nameOf("", el.getAttribute("data-clear-key") || ""));
  });

  var form = document.querySelector("form[data-draft]");
  if (!form || !account) {
    syncOthers();
    window.addEventListener("online", syncOthers);
    return;
  }
  var status = document.getElementById("autosave-status");
  var keyInput = form.elements.submit_key;
  var key = keyInput ? keyInput.value : "";
  var id = form.getAttribute("data-draft-id") || "";
  var url = form.getAttribute("data-autosave-url");
  var seq = 0, sentSeq = 0, timer = null, retry = null, inflight = null;
  current = nameOf(id, key);

  function say(state) {
    if (!status) { return; }
    var text = status.getAttribute("data-text-" + state);
    if (text) { status.textContent = text; }
    status.setAttribute("data-state", state);
  }
  // The typed fields, and the checkboxes the server keeps with the draft (data-draft-keep: the evidence declared).
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "submit_key" &&
        (/^(text|date|tel|email|number|textarea|select-one)$/.test(el.type) ||
         (el.type === "checkbox" && el.hasAttribute("data-draft-keep")));
    });
  }
  function values() {
    var out = {};
    fields().forEach(function (el) {
      if (el.type !== "checkbox") { out[el.name] = el.value; return; }
      out[el.name] = out[el.name] || [];
      if (el.checked) { out[el.name].push(el.value); }
    });
    return out;
  }
  function snapshot() {
    write(current, { account: account, id: id, key: key, url: url, pending: true, values: values(), at: Date.now() });
  }
  function rekey(result) {  // the first save made a draft: the copy follows it, and so does the address bar
    var old = current;
    id = result.id;
    url = result.url || url;
    current = nameOf(id, key);
    form.setAttribute("data-draft-id", id);
    form.setAttribute("data-autosave-url", url);
    if (form.elements.exclude) { form.elements.exclude.value = id; }
    var copy = read(old);
    remove(old);
    if (copy && seq !== sentSeq) { copy.id = id; copy.url = url; write(current, copy); }
    if (result.edit && window.history && history.replaceState) { history.replaceState(null, "", result.edit); }
  }
  function save(keepalive) {
    clearTimeout(timer);
    if (seq === sentSeq) { return Promise.resolve(); }
    if (inflight && !keepalive) { timer = setTimeout(save, 1000); return inflight; }
    if (navigator.onLine === false && !keepalive) { say("offline"); return Promise.resolve(); }
    var mine = seq;
    say("saving");
    var copy = { account: account, id: id, key: key, url: url, values: values() };
    var request = send(copy, keepalive).then(function (result) {
      if (inflight === request) { inflight = null; }
      if (result.state === "failed") {
        say("failed");
        clearTimeout(retry);
        retry = setTimeout(save, 15000);
        return;
      }
      if (status) { status.innerHTML = result.html; status.setAttribute("data-state", result.state); }
      if (result.state === "saved") {
        if (!id && result.id) { rekey(result); }
        if (mine > sentSeq) { sentSeq = mine; }
        if (seq === sentSeq) { remove(current); } else { say("unsaved"); timer = setTimeout(save, 2000); }
      } else if (result.state === "locked") {
        sentSeq = seq;
        remove(current);
      } else {
        sentSeq = mine;  // refused as typed: the copy stays on this phone, the status says what to fix
      }
    }, function () {
      if (inflight === request) { inflight = null; }
      say("offline");
      clearTimeout(retry);
      retry = setTimeout(save, 15000);
    });
    inflight = request;
    return request;
  }
  flushCurrent = function () { return save(true); };

  function changed(event) {
    if (event.target && event.target.type === "file") { return; }
    seq += 1;
    snapshot();
    say(navigator.onLine === false ? "offline" : "unsaved");
    clearTimeout(timer);
    timer = setTimeout(save, 2000);
  }

  // Restore what this account typed in this draft and the server does not have yet.
  var saved = read(current) || (id ? read(nameOf("", key)) : null);
  if (saved && saved.pending && saved.account === account) {
    var restored = false;
    fields().forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(saved.values, el.name)) { return; }
      var kept = saved.values[el.name];
      if (el.type === "checkbox") {
        var on = Array.isArray(kept) && kept.indexOf(el.value) >= 0;
        if (el.checked !== on) { el.checked = on; restored = true; }
      } else if (el.value !== kept) {
        el.value = kept;
        restored = true;
      }
    });
    if (id) { remove(nameOf("", key)); }
    if (restored) {
      seq = 1;
      snapshot();
      if (status) { status.textContent = form.getAttribute("data-restored-text"); status.setAttribute("data-state", "restored"); }
      timer = setTimeout(save, 1000);
    } else {
      remove(current);
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { clearTimeout(timer); if (seq !== sentSeq) { snapshot(); } });
  window.addEventListener("online", function () { save(false); syncOthers(); });
  window.addEventListener("offline", function () { if (seq !== sentSeq) { say("offline"); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && seq !== sentSeq) { save(true); }
  });
  window.addEventListener("pagehide", function () { if (seq !== sentSeq) { save(true); } });
  syncOthers();
})();
