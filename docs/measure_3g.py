"""Load key pages in Chromium under the DevTools "Slow 3G" profile and report bytes and load times.

Not part of the test suite (it needs a browser): run the app (`make run`), then
    pip install playwright && python docs/measure_3g.py [http://127.0.0.1:5000]
It uses Debian's /usr/bin/chromium. Results are written to docs/LOW_BANDWIDTH.md.
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# DevTools "Slow 3G": 400 kbit/s each way, 400 ms RTT × 5 = 2,000 ms request latency.
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 400 * 1024 / 8,
           "uploadThroughput": 400 * 1024 / 8}
PAGES = [("Public campaign page", "/campaign", None), ("Login", "/login", None),
         ("New initiative form (member)", "/initiatives/new", "0900000008"),
         ("Review item (reviewer)", "/review/start", "0900000004"), ("Gallery", "/gallery", None)]
# The same form once the service worker (static/sw.js) has kept it at sign-in: what a member's phone fetches then.
WITH_SERVICE_WORKER = [("New initiative form, service worker installed", "/initiatives/new", "0900000008")]


def measure(browser, path: str, login: str | None, service_workers: str = "block") -> dict:
    # Blocked by default: a first visit is one the service worker has not prepared.
    context = browser.new_context(service_workers=service_workers)
    page = context.new_page()
    if login:
        page.goto(BASE + "/login")
        page.fill("#identifier", login)
        page.fill("#password", "SangKien@2022")
        page.click("button.primary")
        page.wait_for_load_state()
        if service_workers == "allow":
            page.evaluate("navigator.serviceWorker.ready.then(() => caches.has('pages'))")
            page.wait_for_timeout(2000)  # the page asks the worker to keep the form once signed in
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    cdp.send("Network.clearBrowserCache")
    sizes: dict[str, int] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    results = {}
    for visit in ("first", "repeat"):
        sizes.clear()
        started = datetime.now()
        page.goto(BASE + path, wait_until="load")
        results[visit] = {"seconds": (datetime.now() - started).total_seconds(), "bytes": sum(sizes.values()),
                          "requests": len(sizes)}
    html = page.evaluate("document.documentElement.outerHTML.length")
    context.close()
    return {**results, "html_chars": html}


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        rows = [(name, measure(browser, path, login)) for name, path, login in PAGES]
        rows += [(name, measure(browser, path, login, "allow")) for name, path, login in WITH_SERVICE_WORKER]
        browser.close()
    lines = ["# Low bandwidth", "",
             "Measured with `docs/measure_3g.py`: headless Chromium with the DevTools \"Slow 3G\" profile",
             "(400 kbit/s, 2,000 ms request latency), cache cleared before the first visit. Bytes are what crossed the",
             "network (compressed, headers included); the repeat visit reuses the immutable static files. Service",
             "workers are blocked except on the last row, where the worker kept the form at sign-in (it is then served",
             "with no network at all, which is also how it opens with no signal).", "",
             f"Measured {datetime.now():%Y-%m-%d %H:%M} against {BASE}.", "",
             "| page | first visit s | first visit bytes | requests | repeat visit s | repeat bytes |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['first']['seconds']:.1f} | {r['first']['bytes']:,} | {r['first']['requests']} | "
                     f"{r['repeat']['seconds']:.1f} | {r['repeat']['bytes']:,} |")
    Path(__file__).with_name("LOW_BANDWIDTH.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
