"""Not part of the application: the Lai Châu demo (``flask seed-demo``) and the national-size benchmark
(``flask bench-seed`` / ``bench-run`` / ``bench-report``). The demo is built through app/domain, so it obeys
the same rules as real use; nothing in app/domain or the areas imports this package."""
