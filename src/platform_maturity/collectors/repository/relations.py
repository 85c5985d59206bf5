"""Checks that relate the repositories of one organizational unit to each other.

Each function takes the facts of every scanned repository and returns one verdict per
repository, so the engine can say "3 of 8 repositories of the unit ..." like for any check.
The functions read the results of detectors by id prefix: ``ci.*`` (CI definitions),
``ci-shared.*`` (references to shared CI code) and the developer-environment detectors
named in ``DEVENV_FACETS``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from platform_maturity.collectors.repository.facts import Hit, RepoFacts, Verdict

Relation = Callable[[Sequence[RepoFacts]], Iterable[Verdict]]
Facet = tuple[str, str]  # (what kind of definition, its normalized value)


def _by_unit(repos: Sequence[RepoFacts]) -> dict[str | None, list[RepoFacts]]:
    units: dict[str | None, list[RepoFacts]] = defaultdict(list)
    for repo in repos:
        units[repo.unit].append(repo)
    return units


def _normalized(text: str) -> str:
    """Lines without surrounding blanks, empty lines and whole-line ``#``/``//`` comments."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith(("#", "//")))


def _digest(parts: Iterable[str]) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode())
        sha.update(b"\0")
    return sha.hexdigest()[:16]


def _names(repos: Iterable[RepoFacts]) -> str:
    names = sorted(r.subject for r in repos)
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


# ---------------------------------------------------------------- A.S.2: shared CI code


def _ci_fingerprint(repo: RepoFacts) -> str | None:
    files = sorted({f for r in repo.found("ci.*") for f in r.files})
    if not files:
        return None
    parts = []
    for relative in files:
        text = repo.tree.read(relative)
        parts.extend([relative.lower(), _normalized(text.text) if text else ""])
    return _digest(parts)


def shares_ci_code(repos: Sequence[RepoFacts]) -> Iterable[Verdict]:
    """A repository passes when its pipeline calls shared, versioned CI code (a reusable
    workflow of another repository, a GitLab include, a CircleCI orb, a Jenkins shared
    library, an Azure Pipelines template from a repository resource). Identical copies of a
    pipeline in several repositories do not count: the goal asks for one common definition,
    not copies; the message names the copies so they are easy to replace."""
    fingerprints = {id(r): _ci_fingerprint(r) for r in repos}
    for members in _by_unit(repos).values():
        for repo in members:
            if not repo.found("ci.*"):
                yield Verdict(repo, False, "no CI definition, so no shared CI code to use")
                continue
            references = repo.found("ci-shared.*")
            if references:
                hits = tuple(h for r in references for h in r.hits)
                sources = ", ".join(dict.fromkeys(h.text for h in hits[:3]))
                yield Verdict(repo, True, f"the pipeline calls shared CI code: {sources}", hits)
                continue
            mine = fingerprints[id(repo)]
            copies = [r for r in members if r is not repo and mine and fingerprints[id(r)] == mine]
            ci_files = sorted({f for r in repo.found("ci.*") for f in r.files})
            hits = tuple(Hit(f) for f in ci_files[:5])
            if copies:
                message = (
                    f"the CI definition is a copy of the one in {_names(copies)}; move it into"
                    " a reusable workflow, include, orb or shared library"
                )
            else:
                message = (
                    "the CI definition lives only in this repository: no reusable workflow,"
                    " include, orb or shared library is referenced"
                )
            yield Verdict(repo, False, message, hits)


# ---------------------------------------------------------------- A.S.3: shared dev environment

_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _jsonc(text: str) -> object:
    """devcontainer.json is JSON with comments and trailing commas."""
    cleaned = _TRAILING_COMMA.sub(r"\1", _BLOCK_COMMENT.sub("", _LINE_COMMENT.sub("", text)))
    try:
        return json.loads(cleaned)
    except ValueError:
        return None


def _devcontainer_facets(repo: RepoFacts, files: Sequence[str]) -> list[Facet]:
    facets: list[Facet] = []
    for relative in files:
        text = repo.tree.read(relative)
        data = _jsonc(text.text) if text else None
        if not isinstance(data, dict):
            facets.append(("devcontainer.json", _digest([_normalized(text.text if text else "")])))
            continue
        image = data.get("image")
        if isinstance(image, str) and image:
            facets.append(("devcontainer image", image))
        features = data.get("features")
        if isinstance(features, dict) and features:
            facets.append(("devcontainer features", ", ".join(sorted(features))))
        if not image and not features:
            facets.append(("devcontainer.json", _digest([_normalized(text.text if text else "")])))
    return facets


def _lines_facet(kind: str) -> Callable[[RepoFacts, Sequence[str]], list[Facet]]:
    def facets(repo: RepoFacts, files: Sequence[str]) -> list[Facet]:
        found: list[Facet] = []
        for relative in files:
            text = repo.tree.read(relative)
            if text is not None:
                lines = sorted(_normalized(text.text).splitlines())
                found.append((kind, "; ".join(lines)[:200] if len(lines) < 8 else _digest(lines)))
        return found

    return facets


# detector id -> how its files become comparable facets
DEVENV_FACETS: dict[str, Callable[[RepoFacts, Sequence[str]], list[Facet]]] = {
    "devenv.devcontainer": _devcontainer_facets,
    "devenv.tool-versions": _lines_facet(".tool-versions"),
    "devenv.mise": _lines_facet("mise configuration"),
    "devenv.nix": _lines_facet("Nix environment"),
    "devenv.devbox": _lines_facet("devbox.json"),
}


def _devenv_facets(repo: RepoFacts) -> tuple[list[Facet], list[Hit]]:
    facets: list[Facet] = []
    hits: list[Hit] = []
    for detector, extract in DEVENV_FACETS.items():
        result = repo.results.get(detector)
        if result is None or not result.files:
            continue
        facets.extend(extract(repo, result.files))
        hits.extend(Hit(f) for f in result.files[:2])
    return facets, hits


def shares_devenv_config(repos: Sequence[RepoFacts]) -> Iterable[Verdict]:
    """A repository passes when its developer environment (devcontainer image or feature set,
    .tool-versions, mise, Nix or devbox configuration) is the one most repositories of its
    unit use: for each kind of definition the most common value held by two or more
    repositories is the unit's. A repository alone in its unit passes when it takes its
    environment from a prebuilt devcontainer image (a definition made to be shared), and
    cannot be decided otherwise."""
    for members in _by_unit(repos).values():
        facets = {id(r): _devenv_facets(r) for r in members}
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for repo in members:
            for kind, value in set(facets[id(repo)][0]):
                counts[kind][value] += 1
        common: dict[str, tuple[str, int]] = {}
        for kind, values in counts.items():
            value, count = sorted(values.items(), key=lambda item: (-item[1], item[0]))[0]
            if count >= 2:
                common[kind] = (value, count)
        with_definition = [r for r in members if facets[id(r)][0]]
        for repo in members:
            mine, hits = facets[id(repo)]
            if not mine:
                yield Verdict(
                    repo,
                    False,
                    "no developer-environment definition (devcontainer, .tool-versions, mise,"
                    " Nix, devbox) to share",
                )
                continue
            shared = [(k, v) for k, v in mine if k in common and common[k][0] == v]
            if shared:
                kind, value = shared[0]
                yield Verdict(
                    repo,
                    True,
                    f"uses the unit's common {kind} ({value[:80]}), shared by"
                    f" {common[kind][1]} repositories",
                    tuple(hits),
                )
                continue
            if len(with_definition) == 1:
                images = [v for k, v in mine if k == "devcontainer image"]
                if images:
                    yield Verdict(
                        repo,
                        True,
                        f"takes its environment from the prebuilt image {images[0]}; no other"
                        " repository of its unit to compare with",
                        tuple(hits),
                    )
                else:
                    yield Verdict(
                        repo,
                        None,
                        "the only repository of its unit with a developer-environment"
                        " definition: nothing to compare with",
                        tuple(hits),
                    )
                continue
            others = [r for r in with_definition if r is not repo]
            own = [k for k, _ in mine if k in common]
            if common:
                kind = own[0] if own else sorted(common)[0]
                value = common[kind][0][:80]
                message = (
                    f"its {kind} differs from the unit's common one ({value})"
                    if own
                    else f"does not use the unit's common {kind} ({value})"
                )
            else:
                message = f"no two repositories of its unit share a definition ({_names(others)})"
            yield Verdict(repo, False, message, tuple(hits))


FUNCTIONS: dict[str, Relation] = {
    "shares_ci_code": shares_ci_code,
    "shares_devenv_config": shares_devenv_config,
}
