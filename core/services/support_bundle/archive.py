"""Writing the bundle: a zip made in memory, then written next to its place and renamed in.

A failure at any point (a full disk, a folder that refuses the file, the last secret check)
leaves no file: neither a half zip at the destination nor a temporary file beside it, and an
earlier file of the same name stays as it was until the new one is complete. The file is 0600,
like an export: it names every seller and company the person manages.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from core.domain import redaction
from core.domain.errors import UserFacingError
from core.services.support_bundle.contents import bundle_members
from core.services.support_bundle.request import BundleRequest
from core.storage.files import FILE_MODE, write_whole


class BundleError(UserFacingError):
    """The bundle could not be written; nothing was left at its destination."""


def write_bundle(
    request: BundleRequest,
    out: str | Path,
    *,
    redact: Callable[[str], str] = redaction.redact,
) -> Path:
    """Make the bundle and write it to ``out``; the absolute path written.

    Raises :class:`BundleError` (folder missing or not writable, disk full) or
    :class:`~core.services.support_bundle.contents.SecretLeftError`, in both cases having
    written nothing. ``redact`` is for a test of the last check (see ``bundle_members``).
    """
    target = _checked_target(out)
    data = zip_members(bundle_members(request, redact), request)
    _write_atomically(target, data)
    return target


def zip_members(members: dict[str, str], request: BundleRequest) -> bytes:
    """The members as a deflated zip; each dated ``request.now`` (local time, as zip wants)."""
    stamp = request.now.astimezone().timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | FILE_MODE) << 16  # a regular file, 0600 unzipped
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _checked_target(out: str | Path) -> Path:
    target = Path(out).expanduser().absolute()
    if target.is_dir():
        raise BundleError(
            f"{target} is a folder.",
            "Choose a file name for the bundle, for example support.zip, inside it.",
        )
    if not target.parent.is_dir():
        raise BundleError(
            f"The folder {target.parent} does not exist.",
            "Choose another folder for the bundle, or create this one first.",
        )
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    try:
        write_whole(target, data)
    except OSError as exc:
        raise _unwritable(target, exc) from None


def _unwritable(target: Path, exc: OSError) -> BundleError:
    reason = exc.strerror or type(exc).__name__
    return BundleError(
        f"The support bundle could not be written to {target} ({reason}).",
        "Choose a folder you can write to, with some free space, and create the bundle again.",
    )
