"""deploy/Dockerfile builds kdesk from the project's own files on the official Python image.

Docker cannot run here, so a small linter reads the Dockerfile the way the builder does
(continuation lines, instructions, exec-form JSON) and checks what a build would trip on:
unknown instructions, sources missing from the build context or excluded by .dockerignore, an
app package left out of the image, a root user, a shell-form CMD."""

import fnmatch
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
    "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip


def instructions(text):
    """[(line number, INSTRUCTION, arguments)] with continuations joined, comments dropped."""
    out, pending, start = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1].rstrip() + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        out.append((start, keyword, arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return out


def dockerignore():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path, patterns):
    return any(
        fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.removeprefix("**/")) or path == p
        for p in patterns
    )


@pytest.fixture(scope="module")
def parsed():
    return instructions(DOCKERFILE.read_text())


def test_every_instruction_is_known_and_upper_case(parsed):
    for number, keyword, arguments in parsed:
        assert keyword in INSTRUCTIONS, f"line {number}: unknown instruction {keyword!r}"
        assert arguments, f"line {number}: {keyword} without arguments"


def test_it_starts_from_the_official_python_image(parsed):
    froms = [arguments for _, keyword, arguments in parsed if keyword == "FROM"]
    assert len(froms) == 1
    assert parsed[0][1] == "FROM"
    image = froms[0].split()[0]
    assert re.fullmatch(r"python:3\.1[1-3](\.\d+)?-slim(-bookworm)?", image), image


def test_every_copied_source_is_in_the_build_context(parsed):
    patterns = dockerignore()
    copies = [arguments for _, keyword, arguments in parsed if keyword == "COPY"]
    assert copies
    for arguments in copies:
        parts = [p for p in arguments.split() if not p.startswith("--")]
        *sources, destination = parts
        assert sources, arguments
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert not ignored(source, patterns), f"COPY {source}: excluded by .dockerignore"
        assert destination.startswith(("/", "./")), destination
    assert not any(keyword == "ADD" for _, keyword, _ in parsed), "COPY, not ADD"


def test_it_copies_every_app_and_what_the_app_reads(parsed):
    copied = set()
    for _, keyword, arguments in parsed:
        if keyword == "COPY":
            copied.update(p.rstrip("/") for p in arguments.split()[:-1] if not p.startswith("--"))
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps and apps <= copied, sorted(apps - copied)
    for needed in ("manage.py", "templates", "static", "pyproject.toml", "deploy/gunicorn.conf.py"):
        assert needed in copied, needed


def test_it_installs_the_dependencies_before_the_code(parsed):
    keywords = [(keyword, arguments) for _, keyword, arguments in parsed]
    install = next(i for i, (k, a) in enumerate(keywords) if k == "RUN" and "pip install" in a)
    first_code = next(i for i, (k, a) in enumerate(keywords) if k == "COPY" and "kdesk" in a)
    assert install < first_code
    env = " ".join(a for k, a in keywords if k == "ENV")
    assert "PIP_NO_CACHE_DIR=1" in env


def test_it_runs_as_an_unprivileged_user_with_an_exec_form_command(parsed):
    users = [arguments for _, keyword, arguments in parsed if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    workdirs = [arguments for _, keyword, arguments in parsed if keyword == "WORKDIR"]
    assert workdirs and all(w.startswith("/") for w in workdirs)
    (command,) = [arguments for _, keyword, arguments in parsed if keyword == "CMD"]
    argv = json.loads(command)
    assert argv[:1] == ["gunicorn"] and "kdesk.wsgi:application" in argv
    config = argv[argv.index("-c") + 1]
    assert (ROOT / config).is_file()
    for _, keyword, arguments in parsed:
        if keyword == "EXPOSE":
            assert all(p.isdigit() for p in arguments.split())


def test_the_build_context_leaves_out_local_state():
    patterns = dockerignore()
    for path in (".git", ".venv", "db.sqlite3", "staticfiles", "deploy/.env"):
        assert ignored(path, patterns), path


def test_the_linter_catches_a_broken_dockerfile():
    broken = "FROM python:3.11-slim\nCOPY nowhere ./\nRUN pip \\\n  install .\nCMD gunicorn\n"
    parsed = instructions(broken)
    assert [k for _, k, _ in parsed] == ["FROM", "COPY", "RUN", "CMD"]
    assert parsed[2] == (3, "RUN", "pip install .")
    assert not (ROOT / "nowhere").exists()
    with pytest.raises(json.JSONDecodeError):
        json.loads(parsed[3][2])
