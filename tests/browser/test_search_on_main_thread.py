"""Once the customer types, a search whose shards the main thread holds is answered in the
keystroke's own task (searcher.js), so its results are painted with the typed letter; the
answers are those the Worker gives."""

from __future__ import annotations

from shop_page import open_shop, rendered, search, shown_names, until, wait_index

# Typed as the customer types them, a letter more each time: a word's next letters need no
# shard that its first letters did not (a prefix's terms are one run of shards).
GROUPS = [["jac", "jack", "jacke"], ["mer", "meri", "merin"], ["rucksack n", "rucksack na"],
          ["nw 10", "nw 104"]]
QUERIES = [q for group in GROUPS for q in group]

# Sets the search box as a key would, and says whether the results were rendered before the
# input event's task ended (the page marks "shopgen:render" when it renders a query).
TYPE_NOW = """q => {
  const box = document.querySelector('#shop input[type=search]');
  box.value = q;
  box.dispatchEvent(new InputEvent('input', {bubbles: true}));
  return performance.getEntriesByName('shopgen:render').some(m => m.detail.q === q);
}"""


def shards_in_flight(page) -> list:
    """The index shards asked for and not yet received (the page's and the Worker's)."""
    flying: list = []

    def done(request) -> None:
        if request in flying:
            flying.remove(request)

    page.on("request", lambda r: flying.append(r) if "search-shard-" in r.url else None)
    page.on("requestfinished", done)
    page.on("requestfailed", done)
    return flying


def fetched(page, flying: list) -> None:
    """Wait until the shards a search asked for are in (0.1 s at least, 5 s at most)."""
    page.wait_for_timeout(100)
    until(page, lambda: not flying)


def test_a_search_with_its_shards_at_hand_is_answered_in_the_keystrokes_task(page) -> None:
    flying = shards_in_flight(page)
    open_shop(page)
    wait_index(page)
    # The first key typed goes to the Worker: the main thread's engine starts with it.
    assert page.evaluate(TYPE_NOW, "b") is False
    search(page, "b")
    page.wait_for_timeout(300)
    for group in GROUPS:
        at_once = []
        for q in group:
            at_once.append(page.evaluate(TYPE_NOW, q))
            search(page, q)  # (answered at once, or by the Worker)
            fetched(page, flying)  # (the main thread fetches the shards it lacked)
        assert all(at_once[1:]), (group, at_once)


def test_answers_on_the_main_thread_are_the_workers(page, browser, served_build) -> None:
    open_shop(page)
    wait_index(page)
    typed = {}
    for q in QUERIES:
        search(page, q)
        page.wait_for_timeout(100)
        typed[q] = shown_names(page)
    # A page never typed into searches with the Worker alone (the address's query).
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.shop_url = served_build.url
    for q in QUERIES:
        open_shop(other, f"?q={q.replace(' ', '+')}", wait_search=True)
        rendered(other, q)
        assert shown_names(other) == typed[q], q
    context.close()
