"""The published dashboard: offline, with every n/a point's reason, and read back in Chromium.

    python -m ptbench.dashboard publish [--config asv.conf.json]
    python -m ptbench.dashboard graph html "autograd_functional.Time.time_call" --param model=resnet18 \
        --screenshot docs/dashboard.png

``publish``: ``asv publish``, then ``vendor`` and ``points.html``; run it after a plain
``asv publish`` too, which points the pages back at CDNs.
``vendor``: asv's pages load jQuery, flot, bootstrap and three small plugins from CDNs; this
fetches the same releases from the npm registry (``npm pack``, cached in .asv/npm) into
``html/vendor/`` and points the pages there, so the dashboard works offline.
``points.html``: for every result file, the points it has no value for, each with its reason
(``benchmarks.points``: a root cause, not a setting of that run, or a failure).
``graph``: serves ``html/`` on 127.0.0.1, loads the benchmark's page in Debian's chromium through
chromedriver (apt-get install chromium chromium-driver), waits until asv's plot is drawn and
prints each plotted series' points: (revision, value) pairs.
"""

import argparse
import functools
import html
import http.server
import itertools
import json
import math
import re
import shutil
import subprocess
import sys
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


def _measured_settings(data):
    """Per benchmark class, the settings a result file's run used, as read off its measured points:
    the (device, size, precision, memory format) values of the points that have a value."""
    from benchmarks import points

    seen = {}
    for name, row in data["results"].items():
        suite = points.BENCHMARKS.get(name)
        if suite is None:
            continue
        column = dict(zip(data["result_columns"], row, strict=False))
        names = points.SUITES[suite].space.names
        for values, value in zip(itertools.product(*column["params"]), column["result"], strict=True):
            if value is not None and not math.isnan(value):
                point = dict(zip(names, points.parse_asv_params(values), strict=True))
                seen.setdefault(suite, set()).add(tuple(point.get(k) for k in SETTING_NAMES))
    return seen


SETTING_NAMES = ("device", "size", "precision", "memory_format")


def unmeasured(data):
    """{(benchmark, reason): [point text]} for the points of a result file's run that have no value.

    A point counts as part of the run when its device, size, precision and memory format are those
    of a point the run measured. Its reason is a root cause (``benchmarks.points``, with the rules
    of the release the file records, and not recommended tasks as a default run leaves them out),
    a failure, or, for a point the rules let run, the run's own selection.
    """
    from benchmarks import points
    from benchmarks._config import Settings

    runs = _measured_settings(data)
    found = {}
    for name, row in sorted(data["results"].items()):
        suite = points.BENCHMARKS.get(name)
        column = dict(zip(data["result_columns"], row, strict=False))
        if suite is None or suite not in runs:
            continue
        names = points.SUITES[suite].space.names
        for values, value in zip(itertools.product(*column["params"]), column["result"], strict=True):
            point = dict(zip(names, points.parse_asv_params(values), strict=True))
            if tuple(point.get(k) for k in SETTING_NAMES) not in runs[suite]:
                continue
            if value is None:
                why = "failed: the run's log (asv run --show-stderr) has the error"
            elif math.isnan(value):
                settings = Settings(
                    point["device"], point["size"], False, (point.get("precision"),), (point.get("memory_format"),),
                    "all", (1, 1),
                )  # fmt: skip
                why = points.reason(suite, point, settings, _release(data["commit_hash"]), None)
                why = why or "left out by the run's settings (PTBENCH_SLOW, PTBENCH_COMPILE, PTBENCH_SHARD, -b)"
            else:
                continue
            found.setdefault((name, why), []).append(", ".join(map(str, point.values())))
    return found


def _release(commit):
    """The torch version a results commit stands for (releases are their own version), or None."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(commit))
    except InvalidVersion:
        return None


def points_page(results_dir, html_dir):
    """Write ``points.html``: per result file, the points without a value and why."""
    sections = []
    for path in sorted(Path(results_dir).glob("*/*.json")):
        if path.name == "machine.json":
            continue
        data = json.loads(path.read_text())
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{html.escape(why)}</td><td>{len(items)}</td>"
            f"<td><details><summary>points</summary>{html.escape('; '.join(items))}</details></td></tr>"
            for (name, why), items in sorted(unmeasured(data).items())
        )
        title = f"{path.parent.name}: torch {data['commit_hash']} ({data['env_name']})"
        sections.append(
            f"<h2>{html.escape(title)}</h2><table class='table table-condensed'><tr><th>benchmark</th>"
            f"<th>why n/a</th><th>points</th><th></th></tr>{rows}</table>"
        )
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>n/a points</title>"
        "<link rel='stylesheet' href='vendor/bootstrap@3.1.1/dist/css/bootstrap.min.css'></head>"
        "<body class='container'><h1>Why a point has no value</h1><p>For each result file, the points of its run "
        "(its devices, sizes, precisions and memory formats) that have no value, and why. Every point's status under "
        "your settings: <code>python -m benchmarks.points</code>.</p>" + "".join(sections) + "</body></html>"
    )
    Path(html_dir, "points.html").write_text(page)


def publish(config="asv.conf.json"):
    """``asv publish`` for ``config``, then local scripts and the n/a reasons page; the html dir."""
    from asv.util import load_json

    conf = load_json(str(config), js_comments=True)
    subprocess.run([sys.executable, "-m", "asv", "--config", str(config), "publish"], cwd=ROOT, check=True)
    html_dir = (Path(config).resolve().parent / conf["html_dir"]).resolve()
    results_dir = (Path(config).resolve().parent / conf["results_dir"]).resolve()
    if shutil.which("npm"):
        vendor(html_dir)
    else:
        print("npm is not installed: the dashboard loads its scripts from CDNs (online only)", file=sys.stderr)
    points_page(results_dir, html_dir)
    index = html_dir / "index.html"
    link = '<a href="points.html">Why a point has no value</a>'
    if link not in index.read_text():
        index.write_text(index.read_text().replace("</body>", f"<p class='container'>{link}</p></body>", 1))
    return html_dir


PLOTTED = """
var plot = window.$ && $('#main-graph').data('plot');
// asv fetches one graph file per machine and replots as each arrives: read the plot once none is pending
if (!plot || $.active) return null;
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


def graph(html_dir, benchmark, params=None, screenshot=None, timeout=60, machine=None):
    """The plotted series of ``benchmark`` (params: {name: value}; all machines, or ``machine``'s)
    as [{label, points}]."""
    server, driver = serve(html_dir), _driver()
    try:
        query = "&".join(
            [f"p-{quote(k)}={quote(repr(v))}" for k, v in (params or {}).items()]
            + ([f"machine={quote(machine)}"] if machine else [])
        )
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
    commands.add_parser("publish").add_argument("--config", default="asv.conf.json")
    commands.add_parser("vendor").add_argument("html_dir")
    show = commands.add_parser("graph")
    show.add_argument("html_dir")
    show.add_argument("benchmark")
    show.add_argument("--param", action="append", default=[], help="name=value, e.g. model=resnet18")
    show.add_argument("--machine", help="only this machine's series")
    show.add_argument("--screenshot")
    args = parser.parse_args()
    if args.command == "publish":
        print(publish(args.config))
    elif args.command == "vendor":
        vendor(args.html_dir)
    else:
        params = dict(p.split("=", 1) for p in args.param)
        print(json.dumps(graph(args.html_dir, args.benchmark, params, args.screenshot, machine=args.machine), indent=1))


if __name__ == "__main__":
    main()
