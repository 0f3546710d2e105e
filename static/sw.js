// The service worker (issue 11): a member who opened the site once can open the new-initiative form with no
// signal, type, and static/app.js sends the draft when the phone is back online.
// Served at /sw.js by app/web.py, which puts the line "var VERSION = ..., ASSETS = [...], NEW_FORM = ...;" first.
// It caches only the fingerprinted static files and the new-initiative form of the account signed in (the page
// deletes that cache at logout or when another account signs in). Nothing else is cached; nothing but GET is touched.
/* global VERSION, ASSETS, NEW_FORM */
"use strict";
var STATIC = "static-" + VERSION;
var PAGES = "pages";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function randomKey() {
  var bytes = new Uint8Array(18);
  self.crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The cached form, with a fresh one-time key: two forms opened offline are two drafts, never one overwriting the other.
function offlineForm() {
  return caches.open(PAGES).then(function (cache) { return cache.match(NEW_FORM, { ignoreVary: true }); })
    .then(function (hit) {
      if (!hit) { return Response.error(); }
      return hit.text().then(function (html) {
        html = html.replace(/(name="submit_key" type="hidden" value=")[^"]*"/, "$1" + randomKey() + '"');
        var headers = { "Content-Type": "text/html; charset=utf-8" };
        var csp = hit.headers.get("Content-Security-Policy");
        if (csp) { headers["Content-Security-Policy"] = csp; }
        return new Response(html, { status: 200, headers: headers });
      });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/s/") === 0) {  // fingerprinted, immutable: the cache first
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { return cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode === "navigate" && url.pathname === NEW_FORM && !url.search) {  // the network first
    event.respondWith(fetch(request).then(function (response) {
      var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
      if (response.ok && html && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { return cache.put(NEW_FORM, copy); });
      }
      return response;
    }, offlineForm));
  }
});
