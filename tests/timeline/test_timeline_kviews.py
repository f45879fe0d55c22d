import pytest

from klasses import kviews

CTX = {
    "customer": {"name": "Grace", "email": "grace@example.com"},
    "object": {"externalId": "A-1", "data": {"totalNum": 1234.5, "currencyStr": "EUR"}},
}


def test_it_renders_with_helpers():
    out = kviews.render(
        "<p>{{ customer.name }} · {{ currency(object.data.totalNum, object.data.currencyStr) }}</p>",
        CTX,
    )
    assert out.ok and out.html == "<p>Grace · €1,234.50</p>"


def test_autoescape_keeps_markup_out():
    out = kviews.render("<p>{{ customer.name }}</p>", {"customer": {"name": "<script>x</script>"}})
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html


def test_deeplinks_open_in_a_new_tab_with_noopener():
    out = kviews.render(
        '<a href="{{ deeplink("https://admin.example.com/orders", email=customer.email, '
        'order=object.externalId) }}">Open</a>',
        CTX,
    )
    assert (
        'href="https://admin.example.com/orders?email=grace%40example.com&amp;order=A-1"'
        in out.html
    )
    assert 'rel="noopener noreferrer"' in out.html and 'target="_blank"' in out.html


def test_deeplink_refuses_other_schemes():
    assert kviews.deeplink("javascript:alert(1)") == ""
    out = kviews.render('<a href="javascript:alert(1)">x</a>', {})
    assert "javascript" not in out.html


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ customer.__class__ }}{{ ''.__class__.__base__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_sandbox_escapes_render_nothing_dangerous(source):
    out = kviews.render(source, CTX)
    assert "subclasses" not in out.html and "uid=" not in out.html and "class '" not in out.html


def test_limits_stop_runaway_templates():
    out = kviews.render("{% for i in range(100000) %}x{% endfor %}", {})
    assert not out.ok and "range" in out.error
    big = kviews.render(
        "{% for i in range(1000) %}{% for j in range(1000) %}xxxxx{% endfor %}{% endfor %}", {}
    )
    assert not big.ok and ("characters" in big.error or "longer" in big.error)


def test_errors_carry_their_line():
    out = kviews.render("<p>ok</p>\n<p>{{ object.data.totalNum / 0 }}</p>", CTX)
    assert not out.ok and out.line == 2
    assert kviews.syntax_error("line one\n{% if %}").startswith("line 2")


def test_iframe_urls_stay_on_allowed_origins(settings):
    settings.IFRAME_ALLOWED_ORIGINS = ["https://cards.example.com"]
    ok = kviews.render_url("https://cards.example.com/c?e={{ customer.email|urlencode }}", CTX)
    assert ok.ok and ok.html == "https://cards.example.com/c?e=grace%40example.com"
    assert kviews.render_url("/demo/loyalty/?e=1", CTX).ok
    assert not kviews.render_url("https://evil.example.net/", CTX).ok
    assert not kviews.render_url("//evil.example.net/", CTX).ok
    assert kviews.url_template_error("https://evil.example.net/x")


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 300000000 }}",
        "{{ (range(1000)|list) * 1000000 }}",
        "{{ 'a'|center(300000000) }}",
        "{{ 'ab' ** 99999 }}",
    ],
)
def test_templates_cannot_exhaust_memory(source):
    import tracemalloc

    tracemalloc.start()
    try:
        out = kviews.render(source, {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not out.ok
    assert peak < 64 * 1024 * 1024  # refused before it was built (300 MB and more)


def test_iframe_urls_cannot_hide_another_host():
    for url in ["/\\evil.example/", "/x\\y", "/ok\nhttp://x"]:
        assert not kviews.render_url(url, {}).ok, url
