"""asv repository plugin: the "commits" of the project are torch releases on the package index.

In asv.conf.json: ``"plugins": [".history.releases"], "dvcs": "torch-releases",
"repo": "torch>=2.0", "branches": ["releases"]``. A commit hash is a release ("2.10.0"), in
release order, dated by its first upload, so ``asv run 2.9.1..2.11.0``, ``asv continuous 2.10.0
2.11.0`` and ``asv find 2.9.1..2.11.0`` work as over git. ``repo`` is a requirement: the package
and the releases to consider. The list is cached in ``.asv/releases-<package>.json`` and
refreshed when asv pulls (``asv run`` does, unless ``--no-pull``).
"""

import os

from asv import util
from asv.repo import NoSuchNameError, Repo
from packaging.requirements import Requirement
from packaging.version import Version

from .index import IndexUnavailable, cached

BRANCH = "releases"


class UnknownRelease(NoSuchNameError, util.UserError):
    """A name that is no release in the configured window; asv prints the message alone."""


class TorchReleases(Repo):
    dvcs = "torch-releases"
    _default_branch = BRANCH

    def __init__(self, url, mirror_path):
        self._requirement = Requirement(url)
        self._cache = os.path.join(".asv", f"releases-{self._requirement.name}.json")
        self._dates = None

    @classmethod
    def url_match(cls, url):
        return False  # chosen by "dvcs" only: a requirement string looks like no URL

    def _releases(self, refresh=False):
        if self._dates is None or refresh:
            try:
                dates = cached(self._requirement.name, self._cache, refresh=refresh)
            except IndexUnavailable as e:
                raise util.UserError(f"{e}; check the network or pip's index settings") from e
            spec = self._requirement.specifier
            self._dates = {v: d for v, d in dates.items() if Version(v) in spec}
            if not self._dates:
                raise util.UserError(f"no release matches {self._requirement} on the package index")
        return self._dates

    def _ordered(self):
        """Releases, oldest first."""
        return sorted(self._releases(), key=Version)

    def pull(self):
        self._releases(refresh=True)

    def checkout(self, path, commit_hash):
        # Nothing to build: the environment installs the release (history/install_torch.py).
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "RELEASE"), "w") as f:
            f.write(f"{self._requirement.name}=={commit_hash}\n")

    def get_hash_from_name(self, name):
        ordered = self._ordered()
        if name in (None, BRANCH, "HEAD", "main", "master"):
            return ordered[-1]
        try:
            wanted = Version(str(name).removeprefix("v"))
        except ValueError:
            wanted = None
        for version in ordered:
            if wanted is not None and Version(version) == wanted:
                return version
        shown = ", ".join(ordered[-8:])
        raise UnknownRelease(
            f"{name!r} is not a release of {self._requirement} on the package index; "
            f"recent releases: {shown} (use a release number, or '{BRANCH}' for the newest)"
        )

    def get_hash_from_parent(self, name):
        ordered = self._ordered()
        i = ordered.index(self.get_hash_from_name(name))
        if i == 0:
            raise UnknownRelease(f"{ordered[0]} is the oldest release of {self._requirement}; it has no parent")
        return ordered[i - 1]

    def get_range_spec(self, commit_a, commit_b):
        return f"{commit_a}..{commit_b}"

    def get_new_range_spec(self, latest_result, branch=None):
        return f"{latest_result}..{self.get_branch_name(branch)}"

    def get_hashes_from_range(self, range_spec):
        """As ``git rev-list``: ``A..B`` is after A up to B, ``B`` all up to B, ``B^!`` B alone;
        newest first."""
        if str(range_spec).endswith("^!"):
            return [self.get_hash_from_name(str(range_spec)[:-2])]
        ordered = self._ordered()
        start, _, end = str(range_spec).rpartition("..")
        stop = ordered.index(self.get_hash_from_name(end)) + 1
        first = ordered.index(self.get_hash_from_name(start)) + 1 if start else 0
        return ordered[first:stop][::-1]

    def get_branch_commits(self, branch):
        return self.get_hashes_from_range(self.get_branch_name(branch))

    def get_date(self, hash):
        return self._releases()[self.get_hash_from_name(hash)]

    def get_date_from_name(self, name):
        return self.get_date(name)

    def get_name_from_hash(self, commit):
        return None  # the hash is the release name already

    def get_tags(self):
        return {}

    def get_revisions(self, commits):
        return {v: i for i, v in enumerate(self._ordered()) if v in commits}
