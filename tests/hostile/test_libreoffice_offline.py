"""LibreOffice never fetches what a sender's document links to (item 2 of issue 11). An .odt
with a linked image on a localhost HTTP server: LibreOffice as installed fetches it while
converting (the control, so the test can fail); our hardened profile alone does not (linked
content is never updated, links from untrusted documents are blocked: see `_PROFILE_SETTINGS`),
and `convert_untrusted` runs it without a network besides."""

from __future__ import annotations

import http.server
import io
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.documents import libreoffice

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
}


class _Server(http.server.ThreadingHTTPServer):
    requests: list[str]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(b"\x89PNG\r\n\x1a\n")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def linked_odt(url: str) -> bytes:
    """An OpenDocument text whose only image is linked (ODF 1.2, 10.4.4 draw:image xlink:href)."""
    namespaces = " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} '
        'office:version="1.2"><office:body><office:text><text:p>Svar '
        '<draw:frame draw:name="bild" svg:width="2cm" svg:height="2cm">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed" '
        'xlink:actuate="onLoad"/></draw:frame></text:p></office:text></office:body>'
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored, first (ODF 1.2 part 3, 3.3)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def test_the_hardened_profile_never_fetches_linked_content(
    soffice: str, server: _Server, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{server.server_port}/bild.png"
    source = tmp_path / "svar.odt"
    source.write_bytes(linked_odt(url))

    # The control: a plain fresh profile fetches the image.
    plain = tmp_path / "plain-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation={plain.as_uri()}", "--headless", "--convert-to",
         "docx", "--outdir", str(tmp_path / "plain"), str(source)],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert server.requests == ["/bild.png"]
    server.requests.clear()

    # Our profile alone, with the network there: nothing is fetched, the file still converts.
    output = libreoffice.convert_untrusted(source, "docx", tmp_path / "ours", network=True)
    assert output.exists()
    assert server.requests == []


def test_a_sender_file_is_converted_without_a_network(server: _Server) -> None:
    prefix = libreoffice.network_namespace_prefix()
    if not prefix:
        pytest.skip("no network namespaces here: the hardened profile is the only guard")
    probe = (
        "import socket,sys\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {server.server_port}), timeout=2)\n"
        "except OSError:\n"
        "    sys.exit(7)\n"
    )
    assert subprocess.run([*prefix, sys.executable, "-c", probe], check=False).returncode == 7
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=2):
        pass  # outside the namespace the server is there
