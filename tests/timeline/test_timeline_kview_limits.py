"""KView limits hold for any template: the time budget (loops with empty bodies included) and the
size limit (checked before a value is built, by every operator, method, filter and block that can
build one), per render and per thread. Limit errors surface like any other render error.

The time budget is the rendering thread's CPU time with a long wall-clock backstop; the tests drive
it with stand-in clocks (`clocks`), so what they see does not depend on how busy the machine is."""

import threading

import pytest

from klasses.kviews import engine as kviews
from klasses.kviews import limits
from tests.timeline.desk_data import build, people
from timeline import demo

BIG = "{% set a = 'x' * 50000 %}"
R = "{% set r = range(1000)|list %}"


class Clocks:
    """Stand-ins for the limit's clocks. Each reading of the wall clock moves it on by `step`;
    the thread has had `share` of that time on a processor (1: an idle machine, 0.05: a busy one,
    0: not running at all)."""

    def __init__(self, step, share):
        self.step, self.share = step, share
        self.wall = 0.0
        self.cpu_reads = 0

    def read_wall(self):
        self.wall += self.step
        return self.wall

    def read_cpu(self):
        self.cpu_reads += 1
        return self.wall * self.share


@pytest.fixture
def clocks(monkeypatch):
    def use(step=0.001, share=1.0):
        fake = Clocks(step, share)
        monkeypatch.setattr(limits, "_wall", fake.read_wall)
        monkeypatch.setattr(limits, "_cpu", fake.read_cpu)
        return fake

    return use


def assert_limited(out, *words):
    assert not out.ok and out.html == ""
    assert out.error.startswith("RenderLimit: "), out.error
    assert any(w in out.error for w in words), out.error


@pytest.mark.parametrize(
    "source",
    [
        R + "{% for i in r %}{% for j in r %}{% for k in r %}{% endfor %}{% endfor %}{% endfor %}",
        R + "{% for i in r %}{% for j in r %}{% for k in r if false %}{% endfor %}{% endfor %}"
        "{% endfor %}",
        R + "{% for i in r %}{% for j in r %}{% for k in r if k > 5000 %}{{ k }}{% endfor %}"
        "{% endfor %}{% endfor %}",
        R + "{% macro m() %}{% for i in r %}{% for j in r %}{% for k in r %}{% endfor %}"
        "{% endfor %}{% endfor %}{% endmacro %}{{ m() }}",
        "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}"
        "{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}",
    ],
    ids=["empty-bodies", "if-skips-all", "if-skips-most", "in-a-macro", "shared-lists"],
)
def test_it_stops_tight_loops_within_the_time_budget(source, clocks):
    clock = clocks(step=0.001, share=1.0)
    out = kviews.render(source, {})
    assert not out.ok and out.error.startswith("RenderLimit: ")
    assert "longer than 200 ms" in out.error or "items" in out.error
    assert out.line == 1
    # the thread's CPU clock (a system call) is read at the start and about once at the end,
    # not on every loop step
    assert clock.cpu_reads <= 3


TIGHT = R + "{% for i in r %}{% for j in r %}{% for k in r %}{% endfor %}{% endfor %}{% endfor %}"


def test_a_busy_machine_does_not_cut_an_ordinary_render_short(clocks):
    # 5% of a processor: a wall-clock limit of 200 ms would stop this render; its CPU time is
    # well within the budget
    clock = clocks(step=0.002, share=0.05)
    out = kviews.render("{% for i in range(100) %}{{ i }},{% endfor %}", {})
    assert out.ok, out.error
    assert out.html.startswith("0,1,2,") and out.html.endswith("98,99,")
    assert clock.wall > limits.MAX_RENDER_SECONDS


def test_a_busy_machine_still_stops_a_runaway_render_on_cpu_time(clocks):
    clock = clocks(step=0.001, share=0.05)
    out = kviews.render(TIGHT, {})
    assert out.error == "RenderLimit: took longer than 200 ms"
    # it ran about 0.2 / 0.05 = 4 s on the wall clock, under the backstop
    assert 4 <= clock.wall < limits.MAX_RENDER_WALL_SECONDS


def test_a_render_that_gets_no_processor_stops_at_the_wall_clock_backstop(clocks):
    clock = clocks(step=0.01, share=0.0)
    out = kviews.render(TIGHT, {})
    assert out.error == "RenderLimit: took longer than 5 s"
    assert limits.MAX_RENDER_WALL_SECONDS < clock.wall < limits.MAX_RENDER_WALL_SECONDS + 0.5


def test_the_deadline_belongs_to_each_render():
    # Quick renders finishing in another thread must not lift a slow render's deadline.
    slow = (
        R + "{% for i in r %}{% for j in r %}{% for k in r %}{% endfor %}{% endfor %}{% endfor %}"
    )
    result = {}

    def run():
        result["out"] = kviews.render(slow, {})

    thread = threading.Thread(target=run)
    thread.start()
    while thread.is_alive() and not result:
        assert kviews.render("<p>{{ 1 + 1 }}</p>", {}).html == "<p>2</p>"
    thread.join(60)  # the budget is CPU time: a loaded machine takes longer to spend it
    assert not thread.is_alive()
    assert result["out"].error == "RenderLimit: took longer than 200 ms"


DOUBLING = "{% set a = 'x' * 1000 %}" + "{% set a = a ~ a %}" * 13


@pytest.mark.parametrize(
    "source",
    [
        # the audit's two: `~` doubling and replace
        DOUBLING,
        "{% set a = 'x' * 1000 %}" + "{% set a = a ~ a %}" * 5 + "{{ a|replace('x', a) }}",
        "{% set ns = namespace(a='x' * 1000) %}{% for i in range(20) %}"
        "{% set ns.a = ns.a ~ ns.a %}{% endfor %}",
        # operators
        "{% set ns = namespace(a='x') %}{% for i in range(30) %}{% set ns.a = ns.a + ns.a %}"
        "{% endfor %}",
        "{{ 'x' * 300000000 }}",
        "{{ 'x'.encode() * 300000000 }}",
        "{{ (range(1000)|list) * 1000 }}",
        "{{ [range(1000)|list] * 1000 }}",
        BIG + "{{ '%(a)s%(a)s%(a)s%(a)s%(a)s%(a)s' % {'a': a} }}",
        "{{ '%999999999s' % 'x' }}",
        "{{ '%*s' % (999999999, 'x') }}",
        "{% set ns = namespace(a=2) %}{% for i in range(10) %}{% set ns.a = ns.a ** 64 %}"
        "{% endfor %}",
        "{% set ns = namespace(a=3) %}{% for i in range(40) %}{% set ns.a = ns.a * ns.a %}"
        "{% endfor %}",
        # string, list, dict and int methods
        BIG + "{{ a.replace('x', a) }}",
        BIG + "{{ a.join(['x'] * 100) }}",
        BIG + "{{ ('y' * 1000).translate({121: a}) }}",
        "{{ 'x'.ljust(999999999) }}",
        "{{ ('\t' * 1000).expandtabs(99999) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{:>{}}'.format(1, 999999999) }}",
        BIG + "{{ '{0}{0}{0}{0}{0}{0}'.format(a) }}",
        "{% set l = [1] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}",
        BIG + "{{ {}.fromkeys(range(1000), [a] * 50) }}",
        "{{ (1).to_bytes(999999999, 'big') }}",
        # filters
        BIG + "{{ ('x' * 100)|list|join(a) }}",
        BIG + "{{ ('x\n' * 20000)|indent(a) }}",
        BIG + "{{ ('x ' * 20000)|wordwrap(1, true, a) }}",
        "{{ 'a'|center(300000000) }}",
        "{{ [1]|batch(100000000, 0)|list }}",
        "{{ [1]|slice(100000000)|list }}",
        "{{ ([[1]] * 50000)|sum(start=[]) }}",
        "{{ (range(1000)|list)|tojson(indent=999999) }}",
        BIG + "{{ ('a.com ' * 8000)|urlize(target=a) }}",
        "{{ lipsum(1000000) }}",
        "{{ number(1, 999999999) }}",
        "{{ number('1e999999') }}",
        # a list holding one big string many times, turned into a string
        "{% set a = 'x' * 1000 %}{% set l = [a, a, a, a, a, a, a, a, a, a] %}"
        "{% set l = [l, l, l, l, l, l, l, l, l, l] %}{{ l }}",
        "{% set a = 'x' * 1000 %}{% set l = [a, a, a, a, a, a, a, a, a, a] %}"
        "{% set l = [l, l, l, l, l, l, l, l, l, l] %}{{ l|string|length }}",
        "{% set a = 'x' * 1000 %}{% set l = [a, a, a, a, a, a, a, a, a, a] %}"
        "{% set l = [l, l, l, l, l, l, l, l, l, l] %}{{ deeplink('https://x.example/', q=l) }}",
        "{% set a = 'x' * 1000 %}{% set l = [a, a, a, a, a, a, a, a, a, a] %}"
        "{% set l = [l, l, l, l, l, l, l, l, l, l] %}{{ l|tojson|length }}",
        "{% set a = 'x' * 1000 %}{% set l = [a, a, a, a, a, a, a, a, a, a] %}"
        "{% set l = [l, l, l, l, l, l, l, l, l, l] %}{{ '{0!r}'.format(l) }}",
        # output collected by macros, call, filter and set blocks
        BIG + "{% macro m() %}{% for i in range(1000) %}{{ a }}{% endfor %}{% endmacro %}"
        "{{ m()|length }}",
        "{% set a = 'x' * 30000 %}{% set b %}{{ a }}{{ a }}{% endset %}{{ b|length }}",
        "{% set a = 'x' * 30000 %}{% filter upper %}{{ a }}{{ a }}{% endfilter %}",
        "{% macro d(s) %}{{ s }}{{ s }}{% endmacro %}{% set ns = namespace(a='x' * 1000) %}"
        "{% for i in range(20) %}{% set ns.a = d(ns.a) %}{% endfor %}",
    ],
)
def test_it_refuses_to_build_big_values(source):
    assert_limited(
        kviews.render(source, {}), "would build", "limited to", "built more than", "produced"
    )


def test_the_audited_bypasses_fail_on_their_line():
    out = kviews.render(DOUBLING.replace("%}{%", "%}\n{%"), {})
    assert_limited(out, "would build more than 50,000 characters")
    assert out.line == 7  # 1000 · 2**6 = 64,000 characters
    out = kviews.render("{% set a = 'x' * 1000 %}\n{{ a|replace('x', a) }}", {})
    assert_limited(out, "would build more than 50,000 characters")
    assert out.line == 2


def test_many_values_piled_up_count_against_one_budget():
    # each value is small enough, but one render may only build MAX_BUILT_CHARS in all
    source = (
        "{% set a = 'x' * 40000 %}{% set l = [] %}{% for i in range(1000) %}"
        "{{ l.append(a ~ i) }}{{ l.append(a[i:]) }}{% endfor %}"
    )
    assert_limited(kviews.render(source, {}), "built more than 1,000,000")


def test_templates_longer_than_the_save_limit_are_refused():
    out = kviews.render("x" * (kviews.MAX_SOURCE_CHARS + 1), {})
    assert_limited(out, "templates are limited")


CUSTOMER = {
    "id": "1",
    "name": "Grace Hopper",
    "email": "grace@example.com",
    "createdAt": "2024-01-02T03:04:05+00:00",
    "custom": {"tierStr": "gold", "vipBool": True},
}
ORDERS = [
    {
        "externalId": f"A-{i}",
        "title": f"Order {i}",
        "data": {
            "totalNum": 12.5 * i,
            "currencyStr": "EUR",
            "statusStr": "shipped",
            "placedAt": "2024-03-04T05:06:07+00:00",
            "itemsObj": {"product": "Widget", "qty": i},
        },
    }
    for i in range(1, 21)
]
SUBSCRIPTION = {
    "externalId": "S-1",
    "title": "Pro",
    "data": {"activeBool": True, "planTree": "pro.yearly", "renewsAt": "2030-01-01T00:00:00Z"},
}


@pytest.mark.parametrize(
    "source, context, expected",
    [
        (demo.AT_A_GLANCE, {"customer": CUSTOMER}, "gold tier · <strong>VIP</strong>"),
        (demo.RECENT_ORDERS, {"customer": CUSTOMER, "objects": ORDERS}, "20+ orders"),
        (demo.SUBSCRIPTION_CARD, {"customer": CUSTOMER, "object": SUBSCRIPTION}, "pro › yearly"),
        (demo.ORDER_TIMELINE, {"customer": CUSTOMER, "object": ORDERS[2]}, "3 × Widget"),
    ],
    ids=["at-a-glance", "recent-orders", "subscription", "order-details"],
)
def test_demo_kviews_still_render(source, context, expected):
    out = kviews.render(source, context)
    assert out.ok, out.error
    assert expected in out.html


@pytest.mark.parametrize(
    "source, html",
    [
        (
            "{{ [1, 2] + [3] }} {{ (1, 2) * 2 }} {{ {'a': 1} }} {{ 'ab' * 2 }}",
            "[1, 2, 3] (1, 2, 1, 2) {'a': 1} abab",
        ),
        ("{{ 'abcdef'[1:4] }} {{ [1, 2, 3][::-1] }} {{ 'a' ~ 1 ~ none }}", "bcd [3, 2, 1] a1None"),
        ("{{ '%s has %03d' % ('x', 7) }} {{ '{} {:>3}'.format('a', 1) }}", "x has 007 a   1"),
        (
            "{{ ', '.join(['a', 'b']) }} {{ ['a', 'b']|join('-') }} {{ 'a.b'|replace('.', ' › ') }}",
            "a, b a-b a › b",
        ),
        (
            "{% set l = [] %}{% for i in range(3) if i %}{{ l.append(i) or '' }}{% endfor %}{{ l }}",
            "[1, 2]",
        ),
        (
            "{% macro b(t) %}<b>{{ t }}</b>{% endmacro %}{% set x %}{{ b('y') }}{% endset %}{{ x }}",
            "<b>y</b>",
        ),
        (
            "{{ 'hello world foo'|wordwrap(5) }}|{{ 'hello world foo'|truncate(9) }}",
            "hello\nworld\nfoo|hello...",
        ),
        (
            "{{ range(5)|batch(2)|list }} {{ [[1], [2]]|sum(start=[]) }} {{ [1, 2]|sum }}",
            "[[0, 1], [2, 3], [4]] [1, 2] 3",
        ),
        (
            "{{ {'b': 1, 'a': [1]}|pprint }} {{ {'a': '<'}|tojson }}",
            "{'a': [1], 'b': 1} {\"a\": \"\\u003c\"}",
        ),
    ],
)
def test_ordinary_templates_render_as_before(source, html):
    out = kviews.render(source, {})
    assert out.ok, out.error
    assert out.html == html


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


def test_limit_errors_show_as_an_unavailable_card(client, org, who, clocks):
    from klasses.services import kview_create

    customer, _ = build(org, who, orders=False)
    for name, template in [
        ("Slow", R + "<p>ok</p>\n{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}" * 20),
        ("Huge", "<p>ok</p>\n" + DOUBLING),
    ]:
        kview_create(
            org=org,
            actor=None,
            data={
                "name": name,
                "resource": "customer",
                "context": "insight-card",
                "template": template,
            },
        )
    client.force_login(who["sam"])
    clocks(step=0.001, share=1.0)
    html = client.get(f"/customers/{customer.pk}/cards/").content.decode()
    assert html.count("Card unavailable") == 2 and "RenderLimit" not in html
    client.force_login(who["ada"])
    html = client.get(f"/customers/{customer.pk}/cards/").content.decode()
    assert "RenderLimit: took longer than 200 ms" in html
    assert "RenderLimit: would build more than 50,000 characters" in html and "(line 2)" in html
