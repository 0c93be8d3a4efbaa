"""Without Web Workers the page searches on the main thread, over the same shards, with the
same answers as the Worker gives."""

from __future__ import annotations

from shop_page import open_shop, search, shown_names, wait_index

QUERIES = ["jacket", "merino", "rucksack", "jakcet", "nw 1044"]


def answers(page) -> dict[str, list[str]]:
    open_shop(page)
    wait_index(page)
    found = {}
    for q in QUERIES:
        search(page, q)
        found[q] = shown_names(page)
    return found


def test_search_answers_alike_without_a_worker(page, browser, served_build) -> None:
    with_worker = answers(page)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script("window.Worker = undefined;")
    plain = context.new_page()
    plain.shop_url = served_build.url
    errors: list[str] = []
    plain.on("pageerror", lambda error: errors.append(str(error)))
    requested: list[str] = []
    plain.on("request", lambda request: requested.append(request.url))
    try:
        without = answers(plain)
    finally:
        context.close()
    assert without == with_worker and all(with_worker.values())
    assert with_worker["jakcet"][:1] == with_worker["jacket"][:1]  # a typo, fixed
    assert any("/assets/search-shard-" in url for url in requested)
    assert errors == []
