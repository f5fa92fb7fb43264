"""Groundline under a sub-path behind a real nginx (examples/nginx/groundline.conf, as shipped):
the chat page, a citation's link, the widget, the API's links and the upload gates."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from tests.conftest import ARMS_FILE, ROOT, free_port
from tests.e2e.conftest import Server, ask_and_open_citation, serve
from tests.e2e.test_answers import QUESTION, assert_names_north_korea_citing_line_9
from tests.e2e.test_widget import host_page

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "examples" / "nginx" / "groundline.conf"
UNDER = "/groundline"


def nginx_conf(work: Path, port: int, upstream: int, passing_port: int) -> Path:
    """A whole nginx configuration, in ``work``, listening on ``port`` with the example block (its
    upstream's port changed to ``upstream``), and on ``passing_port`` with the same block made to
    pass the path on (``proxy_pass`` without a path, as Caddy's ``handle``, Traefik without StripPrefix)."""
    block = EXAMPLE.read_text().replace("127.0.0.1:7860", f"127.0.0.1:{upstream}")
    (work / "groundline.conf").write_text(block)
    passing = block.replace(f"127.0.0.1:{upstream}/;", f"127.0.0.1:{upstream};")
    assert passing != block
    (work / "passing.conf").write_text(passing)
    temp = "\n".join(
        f"  {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = work / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers as nobody could not use the test's folders
        + f"daemon off;\nworker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        + "events {}\n"
        + f"http {{\n  access_log {work / 'access.log'};\n{temp}\n"
        + "".join(
            f"  server {{\n    listen 127.0.0.1:{listen};\n    include {work / name};\n  }}\n"
            for listen, name in ((port, "groundline.conf"), (passing_port, "passing.conf"))
        )
        + "}\n"
    )
    return conf


@pytest.fixture(scope="module")
def proxies(cli_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A live ``groundline serve`` with GROUNDLINE_ROOT_PATH, behind nginx; the addresses it is served
    at, by the example block and by one passing the path on."""
    work = tmp_path_factory.mktemp("proxy")
    shutil.copytree(cli_data_dir, work / "data")
    server = serve(work / "data", work / "serve.log", GROUNDLINE_ROOT_PATH=UNDER, GROUNDLINE_ADMIN_TOKEN="s3cret")
    port, passing_port = free_port(), free_port()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"  # `make test` installs it (Debian's nginx-light)
    conf = nginx_conf(work, port, server.port, passing_port)
    try:
        proxy = Server([nginx, "-c", str(conf), "-p", str(work)], port, f"{UNDER}/healthz", work / "nginx.log")
    except Exception:
        server.stop()
        raise
    yield f"http://127.0.0.1:{port}{UNDER}", f"http://127.0.0.1:{passing_port}{UNDER}"
    proxy.stop()
    server.stop()


@pytest.fixture(scope="module")
def proxied(proxies: tuple[str, str]) -> str:
    """Where the example block serves it."""
    return proxies[0]


@pytest.fixture(scope="module")
def passed_on(proxies: tuple[str, str]) -> str:
    """Where the block passing the path on serves it."""
    return proxies[1]


def test_the_api_links_under_the_proxys_path(proxied: str, passed_on: str) -> None:
    # (the command line makes these whole: tests/ui/test_remote.py)
    for address in (proxied, passed_on):
        reply = httpx.post(address + "/api/ask", json={"question": QUESTION}, timeout=300).json()
        assert_names_north_korea_citing_line_9(reply)
        links = [c["link"] for c in reply["citations"] + reply["closest"]]
        assert links and all(link.startswith(f"{UNDER}/?file=") for link in links), address


def test_the_chat_a_citations_link_the_widget_and_the_web_component_work_under_the_proxys_path(
    proxied: str, passed_on: str, browser, tmp_path: Path
) -> None:
    line_9 = f"{ARMS_FILE} · line 9"
    for address in (proxied, passed_on):  # streamed through nginx, the path taken off or passed on
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + "/", wait_until="domcontentloaded")
        assert ask_and_open_citation(page, QUESTION, line_9).get_attribute("data-line") == "9", address

    reply = httpx.post(proxied + "/api/ask", json={"question": QUESTION}, timeout=300).json()
    cited = next(c for c in reply["citations"] if c["file"] == ARMS_FILE and c["start_line"] <= 9 <= c["end_line"])
    linked = browser.new_page(viewport={"width": 1280, "height": 900})
    linked.goto(str(httpx.URL(proxied).join(cited["link"])), wait_until="domcontentloaded")
    linked.locator("#gl-viewer .gl-hl[data-line='9']").wait_for(timeout=30_000)

    with host_page(SimpleNamespace(url=proxied), tmp_path, "127.0.0.1") as url:  # the script from under the path
        host = browser.new_page(viewport={"width": 1280, "height": 900})
        host.goto(url)
        host.locator("#groundline-bubble").click()
        frame = host.frame_locator("#groundline-frame")
        assert ask_and_open_citation(frame, QUESTION, line_9).get_attribute("data-line") == "9"
        assert host.locator("#groundline-frame").get_attribute("src").startswith(f"{proxied}/embed/?")
    # and Gradio's web component (gradio.js, src=.../groundline/embed/), from under the path too
    with host_page(SimpleNamespace(url=proxied), tmp_path, "127.0.0.1", "web-component.html") as url:
        host = browser.new_page(viewport={"width": 1280, "height": 1400})
        host.goto(url)
        app = host.locator("gradio-app")
        app.locator("#gl-question textarea").fill(QUESTION)
        app.locator("#gl-question textarea").press("Enter")
        app.locator(".gl-citation", has_text=line_9).first.wait_for(timeout=120_000)


def test_the_upload_gates_know_their_routes_under_the_proxys_path(proxied: str, passed_on: str) -> None:
    # uvicorn puts the root path before each request's path: the middlewares matched their routes by
    # the bare path, so the admin's uploads in the chat were refused, and documents posted over HTTP
    # were held to a question's 1 MB
    upload = {"files": ("x.txt", b"x\n")}
    for address in (passed_on, proxied):
        with httpx.Client(timeout=60) as client:
            assert client.post(address + "/gradio_api/upload", files=upload).status_code == 403  # no cookie
            assert client.post(address + "/api/admin/session", json={"token": "s3cret"}).status_code == 204
            taken = client.post(address + "/gradio_api/upload", files=upload)  # with the cookie the token gave
            assert taken.status_code == 200, taken.text
    with httpx.Client(timeout=60) as client:
        # refused before it was read (a wrong token), the upload is read to its end first: nginx had
        # found the connection reset while still sending it and answered 502 Bad Gateway
        wrong = client.post(proxied + "/api/documents", files={"files": ("notes.txt", b"x" * 5_000_000)},
                            headers={"Authorization": "Bearer guess"})  # fmt: skip
        assert wrong.status_code == 401, wrong.text
        # 1.2 MB the ingestion refuses at once (binary): over a question's limit, within a document's
        big = client.post(proxied + "/api/documents", files={"files": ("big.txt", b"\x00" * 1_200_000)},
                          headers={"Authorization": "Bearer s3cret"})  # fmt: skip
        assert big.status_code == 200, big.text  # read, not refused as too large (413)
        assert "big.txt" in str(big.json()["skipped"]), big.text
