"""How deeply a KView template may nest.

Jinja's parser recurses once per bracket, unary operator and block inside another; its compiler
and Python's compiler after it recurse once per level of the expression tree (a chain of `+`,
of filters or of attribute lookups is a tree as deep as it is long); Python refuses more than 20
loops inside one another. Past those depths they raise RecursionError or SyntaxError, at a point
that depends on how deep the caller's own stack already is. These fixed limits, far above what a
card needs and far below what breaks, are checked first, without recursing, so a template is
refused when it is saved with a message naming the problem, and one that was saved never
reaches the recursion at render time.
"""

from jinja2 import TemplateSyntaxError

MAX_BRACKETS = 20  # ( [ { inside one another
MAX_BLOCKS = 12  # {% if %}, {% for %}, {% macro %}… inside one another
MAX_UNARY = 20  # `not not not x`, `- - - x`
MAX_TREE = 100  # levels of the parsed template: chained operators, filters, lookups

OPENING = {"lparen", "lbracket", "lbrace"}
CLOSING = {"rparen", "rbracket", "rbrace"}
BLOCK_TAGS = {"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "trans"}
UNARY_TOKENS = {"sub", "add"}


class TooDeep(TemplateSyntaxError):
    """A template nested past one of the limits; `message` says which, `lineno` where."""

    def __init__(self, message, lineno):
        super().__init__(message, lineno)


def check_tokens(env, source):
    """Raise TooDeep when the source nests brackets, blocks or unary operators too deeply
    (from the token stream: no recursion); TemplateSyntaxError when it does not even lex."""
    brackets = blocks = run = 0
    after_block_begin = pending_set = False
    for token in env.lexer.tokenize(env.preprocess(source)):
        lineno, kind, value = token.lineno, token.type, token.value
        if kind in OPENING:
            brackets += 1
            if brackets > MAX_BRACKETS:
                raise TooDeep(
                    f"brackets are nested more than {MAX_BRACKETS} deep; simplify the expression",
                    lineno,
                )
        elif kind in CLOSING:
            brackets = max(brackets - 1, 0)
        if kind in UNARY_TOKENS or (kind == "name" and value == "not"):
            run += 1
            if run > MAX_UNARY:
                raise TooDeep(
                    f"more than {MAX_UNARY} `not`, `-` or `+` in a row; simplify the expression",
                    lineno,
                )
        else:
            run = 0
        if after_block_begin and kind == "name":
            if value in BLOCK_TAGS:
                blocks += 1
            elif value == "set":
                pending_set = True  # a block only without `=`: `{% set x %}…{% endset %}`
            elif value.startswith("end") and (value[3:] in BLOCK_TAGS or value == "endset"):
                blocks = max(blocks - 1, 0)
            if blocks > MAX_BLOCKS:
                raise TooDeep(
                    f"blocks ({{% if %}}, {{% for %}}…) are nested more than {MAX_BLOCKS} "
                    "deep; simplify the template",
                    lineno,
                )
        if pending_set and kind == "assign":
            pending_set = False
        elif pending_set and kind == "block_end":
            pending_set = False
            blocks += 1
        after_block_begin = kind == "block_begin"


def check_tree(template):
    """Raise TooDeep when the parsed template is deeper than MAX_TREE (walked with a stack)."""
    stack = [(template, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE:
            raise TooDeep(
                f"an expression nests more than {MAX_TREE} operators, filters or lookups "
                "inside one another; split it with {% set %}",
                getattr(node, "lineno", None) or 1,
            )
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
