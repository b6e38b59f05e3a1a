"""Write a variant of an asv configuration, e.g. for a local PyTorch checkout.

    python -m history.configure asv.pytorch.json --repo ~/pytorch -o .asv/pytorch-local.json
    .venv/bin/asv --config .asv/pytorch-local.json run main~5..main

Relative paths are made absolute (asv reads them against the working directory), so the variant
can live anywhere; run asv from the repository root, where its plugins are found.
"""

import argparse
import json
import os
from pathlib import Path

from asv.util import load_json

PATHS = ("benchmark_dir", "env_dir", "results_dir", "html_dir")


def variant(base, repo=None, **paths):
    conf = load_json(base, js_comments=True)
    root = Path(base).resolve().parent
    for key in PATHS:
        conf[key] = str(root / (paths.get(key) or conf[key]))
    if repo is not None:
        path = Path(repo).expanduser()
        if not (path / ".git").exists() and not (path / "HEAD").exists():
            raise SystemExit(f"{repo} is not a git checkout; clone one: git clone --filter=blob:none {conf['repo']}")
        conf["repo"] = str(path.resolve())
    return conf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="the configuration to start from")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--repo", help="a local git checkout to use as the project")
    for key in PATHS:
        parser.add_argument(f"--{key.replace('_', '-')}")
    args = parser.parse_args(argv)
    conf = variant(args.base, args.repo, **{k: getattr(args, k) for k in PATHS})
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(conf, f, indent=4)
    print(args.output)


if __name__ == "__main__":
    main()
