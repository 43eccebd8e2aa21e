"""Uploaded spreadsheets: checks before they are read, and keeping one between two steps.

`check_xlsx` refuses what is not an .xlsx workbook (a ZIP archive) before openpyxl or pyxform
open it, including archives that would unpack to far more than they weigh (zip bombs).

`keep` / `fetch` / `discard` hold an upload between the two steps of the XLSForm import (the
report, then "Import the rest"): the browser is never asked to send the file back and never names
it — the view keeps the random token in the signed session, and the stored upload also records
the user it belongs to. Uploads live in Redis when REDIS_URL is set (shared by every app server,
expiring by themselves), otherwise in ``instance/uploads`` (one app server; expired files are
removed at each new upload). Either way they expire after `TTL_SECONDS`.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

TTL_SECONDS = 3600
UNPACKED_FACTOR = 20  # an .xlsx may unpack to at most this many times the size limit
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


class UploadRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def max_bytes() -> int:
    return int(float(current_app.config.get("SPREADSHEET_MAX_MB", 5)) * 1024 * 1024)


def read_upload(storage) -> bytes:
    """The bytes of an uploaded file (a werkzeug FileStorage), refused above the size limit."""
    limit = max_bytes()
    data = storage.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(
            _l(
                "The file is larger than %(mb)s MB.",
                mb=current_app.config.get("SPREADSHEET_MAX_MB", 5),
            )
        )
    if not data:
        raise UploadRefused(_l("The file is empty."))
    return data


def check_xlsx(data: bytes) -> None:
    """Refuse anything but an .xlsx workbook that unpacks to a reasonable size."""
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRefused(
            _l("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise UploadRefused(_l("The file is damaged: it cannot be opened as .xlsx.")) from error
    if unpacked > max_bytes() * UNPACKED_FACTOR:
        raise UploadRefused(_l("The workbook unpacks to too much data to be read."))
    if "[Content_Types].xml" not in names:
        raise UploadRefused(
            _l("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        )


# --- keeping an upload between two steps


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url)


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _key(kind: str, token: str) -> str:
    return f"consult:upload:{kind}:{token}"


def _cleanup(folder: Path) -> None:
    limit = time.time() - TTL_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def keep(data: bytes, *, kind: str, owner_id: int) -> str:
    """Store `data` for `owner_id` and return a random token to fetch it with."""
    token = secrets.token_urlsafe(32)
    redis = _redis()
    if redis is not None:
        redis.hset(_key(kind, token), mapping={"owner": str(owner_id), "data": data})
        redis.expire(_key(kind, token), TTL_SECONDS)
        return token
    folder = _folder()
    _cleanup(folder)
    (folder / f"{kind}-{token}.bin").write_bytes(data)
    meta = {"owner": owner_id, "created": time.time()}
    (folder / f"{kind}-{token}.json").write_text(json.dumps(meta))
    return token


def fetch(token: str | None, *, kind: str, owner_id: int) -> bytes | None:
    """The upload kept under `token` if it belongs to `owner_id` and has not expired."""
    if not token or not _TOKEN.match(token):
        return None
    redis = _redis()
    if redis is not None:
        stored = redis.hgetall(_key(kind, token))
        if not stored or stored.get(b"owner") != str(owner_id).encode():
            return None
        return stored[b"data"]
    folder = _folder()
    try:
        meta = json.loads((folder / f"{kind}-{token}.json").read_text())
        data = (folder / f"{kind}-{token}.bin").read_bytes()
    except (FileNotFoundError, ValueError):
        return None
    if meta.get("owner") != owner_id or time.time() - meta.get("created", 0) > TTL_SECONDS:
        return None
    return data


def discard(token: str | None, *, kind: str) -> None:
    if not token or not _TOKEN.match(token):
        return
    redis = _redis()
    if redis is not None:
        redis.delete(_key(kind, token))
        return
    folder = _folder()
    for suffix in ("bin", "json"):
        (folder / f"{kind}-{token}.{suffix}").unlink(missing_ok=True)
