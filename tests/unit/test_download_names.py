"""A download takes the extension of the type detected at upload (issue 11 item 25): a file that starts
like a PDF but was named .html or .bat is never saved under a name the computer would open or run."""

from __future__ import annotations

import pytest

from dxapp.downloads import download_name


@pytest.mark.parametrize(("name", "content_type", "saved"), [
    ("登記簿.pdf", "application/pdf", "登記簿.pdf"),
    ("SCAN.PDF", "application/pdf", "SCAN.PDF"),
    ("請求書.html", "application/pdf", "請求書.pdf"),
    ("run.bat", "image/png", "run.png"),
    ("photo.jpeg", "image/jpeg", "photo.jpeg"),
    ("photo.JPG", "image/jpeg", "photo.JPG"),
    ("face.png.exe", "image/jpeg", "face.png.jpg"),
    ("名前なし", "application/pdf", "名前なし.pdf"),
    (".htaccess", "image/png", ".htaccess.png"),
    ("v1.2 最終版", "application/pdf", "v1.2 最終版.pdf"),
])
def test_download_name_takes_the_detected_extension(name, content_type, saved):
    assert download_name(name, content_type) == saved
