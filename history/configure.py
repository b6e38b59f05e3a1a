"""Write a variant of an asv configuration, e.g. for a local PyTorch checkout.

    python -m history.configure asv.pytorch.json --repo ~/pytorch -o asv.pytorch.local.json
    .venv/bin/asv --config asv.pytorch.local.json run main~5..main

asv changes into the configuration's directory, finds the history plugin and scripts there
(``{conf_dir}``), so a variant is written into the repository root; ``asv.*.local.json`` is
ignored by git. Its paths are made absolute.
"""

import argparse
import json
from pathlib import Path

from asv.util import load_json

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("benchmark_dir", "env_dir", "results_dir", "html_dir")


def variant(base, repo=None, branches=None, **paths):
    """``base`` with absolute paths, optionally another project checkout and other branches."""
    conf = load_json(base, js_comments=True)
    root = Path(base).resolve().parent
    for key in PATHS:
        conf[key] = str(root / (paths.get(key) or conf[key]))
    if repo is not None:
        path = Path(repo).expanduser()
        if not (path / ".git").exists() and not (path / "HEAD").exists():
            raise SystemExit(f"{repo} is not a git checkout; clone one: git clone --filter=blob:none {conf['repo']}")
        conf["repo"] = str(path.resolve())
    if branches:
        conf["branches"] = list(branches)
    return conf


def write(conf, output):
    """Write ``conf`` as the variant ``output``, which must be in the repository root."""
    output = Path(output).resolve()
    if output.parent != ROOT:
        raise SystemExit(f"{output}: a variant must be in {ROOT}, where asv finds the history plugin and scripts")
    output.write_text(json.dumps(conf, indent=4))
    return output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="the configuration to start from")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--repo", help="a local git checkout to use as the project")
    for key in PATHS:
        parser.add_argument(f"--{key.replace('_', '-')}")
    args = parser.parse_args(argv)
    print(write(variant(args.base, args.repo, **{k: getattr(args, k) for k in PATHS}), args.output))


if __name__ == "__main__":
    main()
