"""Release versions and upload dates of a package, read from the package index pip uses."""

import datetime
import json
import os
import urllib.error
import urllib.request

from packaging.version import InvalidVersion, Version

JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"  # the index's JSON API (PEP 691, dates: PEP 700)


class IndexUnavailable(RuntimeError):
    """The package index cannot be read and nothing is cached."""


def index_url():
    """The index pip is configured with (``PIP_INDEX_URL``), else pip's default."""
    url = os.environ.get("PIP_INDEX_URL")
    if not url:
        from pip._internal.models.index import PyPI

        url = PyPI.simple_url
    return url.rstrip("/")


def fetch(package, timeout=60):
    """{version: first upload time in ms since the epoch} for the final releases of ``package``."""
    request = urllib.request.Request(f"{index_url()}/{package}/", headers={"Accept": JSON_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            page = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as e:
        raise IndexUnavailable(f"cannot read the releases of {package!r} from {index_url()}: {e}") from e
    dates = {}
    for f in page.get("files", []):
        version, uploaded = _file_version(package, f["filename"]), f.get("upload-time")
        if version is None or uploaded is None:
            continue
        ms = int(datetime.datetime.fromisoformat(uploaded.replace("Z", "+00:00")).timestamp() * 1000)
        dates[version] = min(ms, dates.get(version, ms))
    if not dates:
        raise IndexUnavailable(f"{index_url()} lists no dated final releases of {package!r}")
    return dates


def _file_version(package, filename):
    """The final-release version in a wheel or sdist file name, or None (pre-releases, locals)."""
    stem = filename.removesuffix(".whl").removesuffix(".tar.gz").removesuffix(".zip")
    prefix = package.replace("-", "_") + "-"
    if not stem.lower().startswith(prefix.lower()):
        return None
    raw = stem[len(prefix) :].split("-")[0]
    try:
        v = Version(raw)
    except InvalidVersion:
        return None
    return None if v.is_prerelease or v.is_devrelease or v.local else str(v)


def cached(package, path, refresh=False):
    """``fetch``, kept in the JSON file ``path`` so that known releases resolve offline."""
    if not refresh and os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    try:
        dates = fetch(package)
    except IndexUnavailable:
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        raise
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(dates, f, indent=0, sort_keys=True)
    return dates
