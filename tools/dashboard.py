"""The published dashboard: make it self-contained, and read a graph back in headless Chromium.

    python tools/dashboard.py vendor html
    python tools/dashboard.py graph html "autograd_functional.Time.time_call" --param model=resnet18 \
        --screenshot docs/dashboard.png

``vendor``: asv's pages load jQuery, flot, bootstrap and three small plugins from CDNs; this
fetches the same releases from the npm registry (``npm pack``, cached in .asv/npm) into
``html/vendor/`` and points the pages there, so the dashboard works offline.
``graph``: serves ``html/`` on 127.0.0.1, loads the benchmark's page in Debian's chromium through
chromedriver (apt-get install chromium chromium-driver), waits until asv's plot is drawn and
prints each plotted series' points: (revision, value) pairs.
"""

import argparse
import functools
import http.server
import json
import re
import subprocess
import tarfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
# (end of a CDN URL in asv's index.html, npm package, file in the package)
VENDORED = (
    (r"/jquery-3\.3\.1\.min\.js", "jquery@3.3.1", "dist/jquery.min.js"),
    (r"/flot/0\.8\.3/(jquery\.flot[.\w]*?)\.min\.js", "flot@0.8.3", r"\1.js"),
    (r"/flot-orderbars@1\.0\.0/(.+)", "flot-orderbars@1.0.0", r"\1"),
    # 1.0.1 is on the CDN only; 1.1.3 has the same API.
    (r"/stupidtable/1\.0\.1/stupidtable\.min\.js", "stupid-table-plugin@1.1.3", "stupidtable.min.js"),
    (r"/blueimp-md5/2\.19\.0/(.+)", "blueimp-md5@2.19.0", r"\1"),
    (r"/bootstrap@3\.1\.1/(.+)", "bootstrap@3.1.1", r"\1"),
)
EXTERNAL = re.compile(r"""<(script|link)\b[^>]*?\b(?:src|href)="(https://[^"]+)"[^>]*>""")


def _package_file(spec, member, cache=ROOT / ".asv" / "npm"):
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / (spec.replace("@", "-") + ".tgz")
    if not tarball.exists():
        name = subprocess.run(
            ["npm", "pack", spec, "--silent", "--pack-destination", str(cache)],
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        (cache / name).rename(tarball)
    with tarfile.open(tarball) as t:
        return t.extractfile(f"package/{member}").read()


def _local_copy(html_dir, url):
    """Fetch ``url``'s npm equivalent into ``html_dir/vendor``; its path relative to html_dir."""
    for pattern, spec, member in VENDORED:
        found = re.search(pattern + "$", url)
        if found:
            member = found.expand(member)
            target = Path("vendor") / spec / member
            (html_dir / target).parent.mkdir(parents=True, exist_ok=True)
            (html_dir / target).write_bytes(_package_file(spec, member))
            return target.as_posix()
    raise SystemExit(f"the dashboard loads {url}, which has no local copy; add it to VENDORED")


def vendor(html_dir):
    """Point every external script and stylesheet of ``html_dir``'s pages at a local copy."""
    html_dir = Path(html_dir)

    def local(match):
        tag, url = match.group(0), match.group(2)
        tag = re.sub(r'\s(integrity|crossorigin|referrerpolicy)="[^"]*"', "", tag)
        return tag.replace(url, _local_copy(html_dir, url))

    for page in html_dir.glob("*.html"):
        page.write_text(EXTERNAL.sub(local, page.read_text()))


PLOTTED = """
var plot = window.$ && $('#main-graph').data('plot');
if (!plot) return null;
return plot.getData().map(function (s) {
    return {label: s.label || '', points: s.data.filter(function (p) { return p && p[1] !== null; })};
});
"""


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"):
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    """An HTTP server for ``directory`` on a free localhost port, in a daemon thread."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def graph(html_dir, benchmark, params=None, screenshot=None, timeout=60):
    """The plotted series of ``benchmark`` (params: {name: value}) as [{label, points}]."""
    server, driver = serve(html_dir), _driver()
    try:
        query = "&".join(f"p-{quote(k)}={quote(repr(v))}" for k, v in (params or {}).items())
        url = f"http://127.0.0.1:{server.server_port}/#{benchmark}" + (f"?{query}" if query else "")
        driver.get(url)
        deadline = time.monotonic() + timeout
        series = None
        while time.monotonic() < deadline:
            series = driver.execute_script(PLOTTED)
            if series and any(s["points"] for s in series):
                break
            time.sleep(0.5)
        if screenshot:
            time.sleep(1)  # let the plot's fade-in finish
            driver.save_screenshot(str(screenshot))
        return series or []
    finally:
        driver.quit()
        server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("vendor").add_argument("html_dir")
    show = commands.add_parser("graph")
    show.add_argument("html_dir")
    show.add_argument("benchmark")
    show.add_argument("--param", action="append", default=[], help="name=value, e.g. model=resnet18")
    show.add_argument("--screenshot")
    args = parser.parse_args()
    if args.command == "vendor":
        vendor(args.html_dir)
    else:
        params = dict(p.split("=", 1) for p in args.param)
        print(json.dumps(graph(args.html_dir, args.benchmark, params, args.screenshot), indent=1))


if __name__ == "__main__":
    main()
