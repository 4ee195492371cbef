from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def pager(path: str, number: int, **extra) -> str:
    request = RequestFactory().get(path)
    page = Paginator(list(range(60)), 20).page(number)
    return render_to_string("partials/pager.html", {"page_obj": page, **extra}, request=request)


def test_the_pager_keeps_the_lists_filters_and_anchor():
    html = pager("/jobs/?status=failed&page=2", 2, newest_first=True, anchor="#ledger")

    assert 'href="?status=failed&amp;page=1#ledger"' in html
    assert 'href="?status=failed&amp;page=3#ledger"' in html
    assert "Newer" in html and "Older" in html
    assert "Page 2 of 3" in html


def test_the_pager_hides_on_one_page_and_says_previous_next_for_unordered_lists():
    one_page = render_to_string(
        "partials/pager.html",
        {"page_obj": Paginator([1, 2], 20).page(1)},
        request=RequestFactory().get("/catalog/"),
    )
    first = pager("/catalog/?q=serum", 1)

    assert one_page.strip() == ""
    assert 'href="?q=serum&amp;page=2"' in first and "Next" in first and "Previous" not in first
