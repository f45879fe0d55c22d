"""deploy/nginx.conf routes websockets (/ws/) to daphne with the upgrade headers and
everything else to gunicorn, buffered: read from the file's blocks and directives."""

import re
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def parse(text):
    """nginx's syntax as nested lists: [(name, args, children or None)]."""
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r'"[^"]*"|[{};]|[^\s{};]+', text)
    stack, current, words = [], [], []
    for token in tokens:
        if token == ";":
            current.append((words[0], words[1:], None))
            words = []
        elif token == "{":
            block = []
            current.append((words[0], words[1:], block))
            stack.append(current)
            current, words = block, []
        elif token == "}":
            assert not words, f"directive without ';' before '}}': {words}"
            current = stack.pop()
        else:
            words.append(token)
    assert not stack and not words, "unbalanced braces or a missing ';'"
    return current


def find(block, name, *args):
    return [d for d in block if d[0] == name and (not args or list(args) == d[1][: len(args)])]


def directives(block, name):
    return [d[1] for d in block if d[0] == name]


@pytest.fixture(scope="module")
def conf():
    return parse(CONF.read_text())


def test_it_routes_websockets_to_daphne(conf):
    (server,) = find(conf, "server")
    (ws,) = find(server[2], "location", "/ws/")
    assert directives(ws[2], "proxy_pass") == [["http://kdesk_ws"]]
    assert ["1.1"] in directives(ws[2], "proxy_http_version")
    headers = {args[0]: args[1] for args in directives(ws[2], "proxy_set_header")}
    assert headers["Upgrade"] == "$http_upgrade"
    assert headers["Connection"] == "$connection_upgrade"
    assert {"Host", "X-Forwarded-For", "X-Forwarded-Proto"} <= set(headers)
    (upstream,) = find(conf, "upstream", "kdesk_ws")
    assert directives(upstream[2], "server") == [["ws:8001"]]


def test_it_routes_the_rest_to_gunicorn_buffered(conf):
    (server,) = find(conf, "server")
    (rest,) = find(server[2], "location", "/")
    assert directives(rest[2], "proxy_pass") == [["http://kdesk_web"]]
    assert ["on"] in directives(rest[2], "proxy_buffering")
    assert ["on"] in directives(rest[2], "proxy_request_buffering")
    headers = {args[0] for args in directives(rest[2], "proxy_set_header")}
    assert {"Host", "X-Forwarded-For", "X-Forwarded-Proto"} <= headers
    (upstream,) = find(conf, "upstream", "kdesk_web")
    assert ["web:8000"] in directives(upstream[2], "server")
    (mapping,) = find(conf, "map", "$http_upgrade", "$connection_upgrade")
    assert mapping[2]


def test_the_parser_refuses_broken_syntax():
    with pytest.raises(AssertionError):
        parse("server { listen 80 }")
    with pytest.raises(AssertionError):
        parse("server { listen 80;")
